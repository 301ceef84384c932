package e2e

// Compatibility of crmframe's JavaScript rewriter and run-time shim with
// real production builds of widely used libraries (testdata/libs, versions
// and licences in its README.md): jQuery 1.x and 3.x, jQuery UI, AngularJS,
// Vue 3 (global build with the template compiler), React 18 + ReactDOM,
// lodash, underscore + Backbone, Handlebars, moment; what legacy CRMs ship:
// Prototype 1.7 with script.aculo.us effects (they extend native and DOM
// prototypes), Knockout 3.5, Dojo 1.17 (its AMD loader, async and in the
// synchronous legacy mode that fetches modules with XMLHttpRequest and
// evals them); and what collides with the shim's hooks in modern ones:
// TinyMCE 6 (an editor in an iframe it builds, theme/model/icons/skins
// fetched by its base URL, typed into with real key presses), zone.js
// (replaces Promise, patches timers, EventTarget, XHR and fetch over the
// shim's hooks), htmx 2 (swaps over real requests, hx-push-url and the
// restore on back, hx-on through Function), Alpine 3 (AsyncFunction +
// with), Bootstrap 5 with Popper (modal focus trap, dropdown, tooltip) and
// Chart.js 4 (canvas pixels read back, tooltips from mouse events).
//
// An upstream CRM (X-Frame-Options: DENY) serves one page per library; the
// libraries are external .js files (JS-response rewriter and js_cache) and
// jQuery 3 is also inlined (HTML inline-script path). Every page runs a
// small smoke script that exercises the library for real (selectors,
// handlers, $.ajax, animations, widgets, ng-repeat/ng-click, Vue and React
// re-renders, template compilers that use Function, formatting, modules
// loaded by a loader, an editor typed into) and writes "ok" or the first
// error (window.onerror, unhandledrejection, a failed check) into
// #crm-marker and its results into #crm-out. Each page is loaded
//   - framed by a desktop on another site, through crmframe (the shim acts),
//   - top-level through crmframe (the shim is mostly dormant),
//   - framed without crmframe (control),
// and must say "ok" with the same #crm-out every time; files a library
// fetches itself must all show in its resource list, and a request for a
// file that is not vendored fails the test. Before the browser, every
// library's response through crmframe must be exactly what
// jsrewrite.Rewrite makes of it, counted as rewritten_js, and served from
// js_cache the second time. CRMFRAME_LIBS=name,name runs only these pages.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"golang.org/x/net/html"

	"github.com/crmframe/crmframe/injector/jsrewrite"
	"github.com/crmframe/crmframe/internal/caddyrun"
	"github.com/crmframe/crmframe/internal/chromium"
)

const (
	libDir  = "testdata/libs"
	libTabs = 3
)

// libFiles are the vendored builds and what the rewriter must insert in
// each: "." + jsrewrite.Accessor where it reads `x.top` of a window alias,
// jsrewrite.EvalWrapOpen around the code of an eval; "" means the file
// must pass through the rewriter unchanged.
var libFiles = map[string]string{
	"jquery-1.12.4.min.js":               libTopRead, // (e=n.defaultView)&&e.top!==e
	"jquery-3.7.1.min.js":                libTopRead, // (t=T.defaultView)&&t.top!==t
	"jquery-ui-1.13.3.min.js":            "",
	"angular-1.8.3.min.js":               jsrewrite.VtopWrapOpen, // z.location on its window aliases (pass 31: identity there)
	"vue-3.5.13.global.prod.js":          "",
	"react-18.3.1.production.min.js":     "",
	"react-dom-18.3.1.production.min.js": libTopRead, // a.element.scrollTop=a.top with `a` a window elsewhere
	"lodash-4.17.21.min.js":              "",
	"underscore-1.13.7.umd.min.js":       "",
	"backbone-1.6.0.min.js":              jsrewrite.VtopWrapOpen, // its iframe's r.location.hash (pass 31: identity there)
	"handlebars-4.7.8.min.js":            "",
	"moment-2.30.1.min.js":               "",
	"knockout-3.5.3.js":                  jsrewrite.EvalWrapOpen, // (0,eval)(createScript(...)) for the binding functions
	"prototype-1.7.3.js":                 jsrewrite.VtopWrapOpen, // its Sizzle: parent !== parent.top, a local parent (value-checked); also eval(json) and String#evalScripts
	"scriptaculous-effects-1.9.0.js":     "",
	// What modern and component CRMs ship.
	"zone-0.16.3.umd.min.js":                   jsrewrite.KeyWrapOpen,  // global["__Zone_disable_"+name], a computed key on the global
	"htmx-2.0.11.min.js":                       jsrewrite.EvalWrapOpen, // eval of hx-on/js: expressions; also rect.top (pass 31: identity)
	"alpinejs-3.17.5.min.js":                   "",                     // its expressions go through AsyncFunction at run time
	"bootstrap-5.3.9.bundle.min.js":            libTopRead,             // Popper: {top: rect.top - ...} on client rects
	"chart-4.6.1.umd.min.js":                   libTopRead,             // canvas rect.top in getRelativePosition
	"tinymce-6.8.6/tinymce.min.js":             libTopRead,             // rect and caret-position .top reads
	"tinymce-6.8.6/themes/silver/theme.min.js": jsrewrite.VtopWrapOpen, // popup anchors' .top and location on aliases
	"tinymce-6.8.6/models/dom/model.min.js":    jsrewrite.VtopWrapOpen, // a table cell rect's .top
	"tinymce-6.8.6/icons/default/icons.min.js": "",
	"dojo-1.17.3/dojo.js":                      jsrewrite.VtopWrapOpen, // the loader's location reads on window aliases
	"dojo-1.17.3/json.js":                      jsrewrite.EvalWrapOpen, // eval('(' + str + ')'), the pre-JSON fallback
	"dojo-1.17.3/on.js":                        jsrewrite.Accessor,     // (... || window) != top: its IE frame-leak guard
}

// libAssets are the vendored files that are not JavaScript (style sheets
// the pages or the libraries load), served as they are.
var libAssets = map[string]string{
	"bootstrap-5.3.9.min.css":                             "text/css",
	"tinymce-6.8.6/skins/ui/oxide/skin.min.css":           "text/css",
	"tinymce-6.8.6/skins/ui/oxide/content.min.css":        "text/css",
	"tinymce-6.8.6/skins/content/default/content.min.css": "text/css",
}

// libDojoModules are the Dojo modules its AMD loader fetches for the dojo
// page (dojo.js, json.js and on.js are in libFiles): none is changed by
// the rewriter.
var libDojoModules = []string{
	"Deferred", "Evented", "_base/array", "_base/config", "_base/connect", "_base/declare", "_base/event",
	"_base/kernel", "_base/lang", "_base/sniff", "_base/window", "aspect", "dom", "dom-attr", "dom-class",
	"dom-construct", "dom-geometry", "dom-prop", "dom-style", "domReady", "errors/CancelError",
	"errors/RequestError", "errors/RequestTimeoutError", "errors/create", "global", "has", "io-query",
	"keys", "mouse", "promise/Promise", "promise/instrumentation", "promise/tracer", "query",
	"request/handlers", "request/util", "request/watch", "request/xhr", "selector/_loader",
	"selector/lite", "sniff", "topic",
}

// libDojoLegacyModules are the further modules its loader fetches in
// synchronous (legacy) mode, with XMLHttpRequest and eval: dojo/main
// (the whole dojo.* API) and dojo/string, asked for with dojo.require.
var libDojoLegacyModules = []string{
	"NodeList-dom", "_base/Color", "_base/Deferred", "_base/NodeList", "_base/browser", "_base/fx",
	"_base/html", "_base/json", "_base/loader", "_base/unload", "_base/xhr", "dom-form", "main", "ready",
	"selector/acme", "string", "when",
}

func init() {
	for _, m := range append(libDojoModules, libDojoLegacyModules...) {
		libFiles["dojo-1.17.3/"+m+".js"] = ""
	}
	libFiles["dojo-1.17.3/_base/json.js"] = jsrewrite.EvalWrapOpen   // dojo.fromJson: eval("(" + js + ")")
	libFiles["dojo-1.17.3/_base/loader.js"] = jsrewrite.EvalWrapOpen // its legacy module-text eval
}

const libTopRead = "." + jsrewrite.Accessor

// libPage is one smoke page: libraries loaded in order (external), an
// optional library inlined, the page's own markup and the smoke function's
// body (it gets `out`, an array of results, and returns a value or a
// promise; every check that fails throws).
type libPage struct {
	name   string
	libs   []string
	inline string
	body   string
	smoke  string
	// swaps: the smoke code hands the shim code strings with a bare `top`
	// (templates compiled with Function): framed through crmframe, the
	// shim's run-time swap must have acted on them.
	swaps bool
	// head: markup before the libraries (a loader's configuration); css:
	// vendored style sheets linked in the head; deferLibs: the libraries'
	// scripts are deferred (Alpine starts itself once loaded).
	head      string
	css       []string
	deferLibs bool
	// loads: vendored files the libraries fetch themselves (a loader's
	// modules, an editor's theme and skins); each must show up in the
	// page's resource list, which the smoke code reports (crmLoaded).
	loads []string
	// typeText: once the page writes {X, Y} into #crm-type, the test
	// clicks there and types these keys ("\r" is Enter) through CDP, as an
	// agent would.
	typeText string
}

// libHarness runs first on every page. It reports any error into the
// marker, and uses a computed window read and a direct eval on purpose (a
// legacy CRM's JSON fallback): both are wrapped by the rewriter.
const libHarness = `<script>
(function () {
  var errs = [];
  function el(id) { return document.getElementById(id); }
  function show() { var m = el('crm-marker'); if (m && errs.length) m.textContent = 'error: ' + errs[0]; }
  function fail(msg) { errs.push(String(msg)); show(); }
  window.onerror = function (msg, src, line, col) { fail(msg + ' at ' + src + ':' + line + ':' + col); };
  window.addEventListener('unhandledrejection', function (e) { var r = e.reason; fail('unhandled rejection: ' + (r && r.stack || r)); });
  window.crmCheck = function (cond, what) { if (!cond) throw new Error('check failed: ' + what); };
  window.crmGlobal = function (name) { var v = window[name]; crmCheck(v, 'global ' + name); return v; };
  window.crmJSON = function (text) { return eval('(' + text + ')'); };
  window.crmWait = function (ms) { return new Promise(function (r) { setTimeout(r, ms); }); };
  // the vendored files this document fetched (scripts, style sheets)
  window.crmLoaded = function (w) {
    var seen = {};
    (w || window).performance.getEntriesByType('resource').forEach(function (e) {
      var p = new URL(e.name).pathname;
      if (p.indexOf('/libs/') === 0) seen[p.slice(6)] = true;
    });
    return Object.keys(seen).sort();
  };
  // resolves once cond() is true, checked every 20 ms; rejects after ms
  window.crmUntil = function (cond, ms, what) {
    return new Promise(function (resolve, reject) {
      var t0 = Date.now();
      (function poll() {
        var v = cond();
        if (v) return resolve(v);
        if (Date.now() - t0 > ms) return reject(new Error('timed out waiting for ' + what));
        setTimeout(poll, 20);
      })();
    });
  };
  window.crmRun = function (fn) {
    var out = [];
    var env = window.__crmframe ? (window.__crmframe.framed ? 'framed' : 'top') + '/' + window.__crmframe.mode : 'none';
    new Promise(function (r) { r(fn(out)); }).then(function () {
      el('crm-out').textContent = out.join('\n');
      el('crm-env').textContent = env;
      el('crm-swaps').textContent = window.__crmframe ? String(window.__crmframe.stats.code || 0) : '';
      // errors raised by timers and handlers a moment later count too
      return crmWait(50);
    }).then(function () {
      if (!errs.length) el('crm-marker').textContent = 'ok';
      show();
    }, function (e) { fail((e && e.stack) || e); });
  };
})();
</script>
`

// libJQuerySmoke is shared by the jQuery pages (1.x and 3.x, external and
// inline): selectors, delegated handlers, .html() with a script (globalEval),
// $.ajax to the CRM, animations.
const libJQuerySmoke = `
var $ = crmGlobal('jQuery');
out.push('jquery ' + $.fn.jquery);
$('#list').append($.map([3, 1, 2], function (n) { return '<li class="item" data-n="' + n + '">Item ' + n + '</li>'; }).join(''));
out.push('items=' + $('#list li.item').length + ' first=' + $('#list li:first').text() + ' idx=' + $('li[data-n=2]').index());
var clicks = 0;
$('#list').on('click', 'li', function () { clicks += $(this).data('n'); });
$('#list li').eq(0).trigger('click');
$('#list li')[2].click();
out.push('clicks=' + clicks);
$('#slot').html('<b>x</b><script>window.crmFromHtml = (window.crmFromHtml || 0) + 1; var top2 = window.top === window.self;<\/script>');
out.push('html-script=' + window.crmFromHtml + ' ' + $('#slot b').length);
out.push('offset=' + $('#box').offset().top + '/' + $('#box').position().left);
return $.ajax({ url: '/api/data', dataType: 'json' }).then(function (d) {
  out.push('ajax=' + d.name + '/' + d.items.length);
  return $.ajax({ url: '/api/data', dataType: 'text' });
}).then(function (text) {
  out.push('json-eval=' + crmJSON(text).items[1].name);
  return $('#box').animate({ opacity: 0.25, width: '120px' }, 80).promise();
}).then(function () {
  out.push('anim=' + $('#box').css('width') + '/' + $('#box').css('opacity'));
  return $('#box').fadeOut(40).promise();
}).then(function () {
  out.push('fade=' + $('#box').is(':hidden'));
});
`

const libJQueryBody = `<ul id="list"></ul><div id="slot"></div>
<div id="box" style="position:absolute;top:140px;left:300px;width:60px;height:20px;background:#8ac">box</div>`

var libPages = []libPage{
	{name: "jquery3", libs: []string{"jquery-3.7.1.min.js"}, body: libJQueryBody, smoke: libJQuerySmoke},
	{name: "jquery3-inline", inline: "jquery-3.7.1.min.js", body: libJQueryBody, smoke: libJQuerySmoke},
	{name: "jquery1-ui", libs: []string{"jquery-1.12.4.min.js", "jquery-ui-1.13.3.min.js"}, body: libJQueryBody + `
<div id="tabs"><ul><li><a href="#t1">Calls</a></li><li><a href="#t2">Notes</a></li></ul><div id="t1">c</div><div id="t2">n</div></div>
<input id="dp"><div id="dlg">Saved</div><span id="ctr"></span>`, smoke: `
var $ = crmGlobal('jQuery');
out.push('ui ' + $.ui.version);
$('#tabs').tabs();
$('#tabs').tabs('option', 'active', 1);
out.push('tab=' + $('#tabs .ui-tabs-active a').text());
$('#dp').datepicker({ dateFormat: 'yy-mm-dd' });
$('#dp').datepicker('setDate', new Date(2024, 1, 29));
out.push('date=' + $('#dp').val());
$('#dlg').dialog({ autoOpen: false, title: 'Note', position: { my: 'left top', at: 'left top', of: window } });
$('#dlg').dialog('open');
out.push('dialog=' + $('#dlg').dialog('isOpen') + '/' + $('.ui-dialog-title').text());
$('#dlg').dialog('close');
$.widget('crm.counter', {
  options: { n: 0 },
  _create: function () { this.element.text(this.options.n); },
  inc: function () { this.options.n++; this.element.text(this.options.n); this._trigger('changed', null, { n: this.options.n }); }
});
$('#ctr').counter({ n: 5, changed: function (e, d) { out.push('changed=' + d.n); } });
$('#ctr').counter('inc');
out.push('ctr=' + $('#ctr').text());
` + libJQuerySmoke},
	{name: "angularjs", libs: []string{"angular-1.8.3.min.js"}, body: `
<div id="ng" ng-controller="ListCtrl as vm">
<ul><li class="c" ng-repeat="c in vm.contacts | orderBy:'name'">{{c.name}} ({{c.calls}})</li></ul>
<button id="ngbtn" ng-click="vm.add()">add</button> <span id="ngtotal">{{vm.total()}}</span>
<input id="ngq" ng-model="vm.q"> <span id="ngecho">{{vm.q | uppercase}}</span>
<span id="ngpos" ng-style="{top: vm.pos.top + 'px'}">{{vm.pos.top}}</span> <span id="ngloaded">{{vm.loaded}}</span>
</div>`, smoke: `
var ng = crmGlobal('angular');
out.push('angular ' + ng.version.full);
ng.module('crm', []).controller('ListCtrl', ['$http', function ($http) {
  var vm = this;
  vm.contacts = [{ name: 'Bob', calls: 2 }, { name: 'Alice', calls: 5 }];
  vm.pos = { top: 7 };
  vm.add = function () { vm.contacts.push({ name: 'Carol', calls: 1 }); vm.pos.top += 1; };
  vm.total = function () { return vm.contacts.reduce(function (s, c) { return s + c.calls; }, 0); };
  vm.load = function () { return $http.get('/api/data').then(function (r) { vm.loaded = r.data.name; }); };
}]);
var inj = ng.bootstrap(document.getElementById('ng'), ['crm']);
document.getElementById('ngbtn').click();
var q = document.getElementById('ngq');
q.value = 'vip';
q.dispatchEvent(new Event('input'));
var vm = ng.element(document.getElementById('ng')).controller('ngController');
var text = function (sel) { return Array.prototype.map.call(document.querySelectorAll(sel), function (e) { return e.textContent; }).join(','); };
out.push('rows=' + text('#ng li.c') + ' total=' + text('#ngtotal') + ' echo=' + text('#ngecho') + ' pos=' + text('#ngpos') + '/' + document.getElementById('ngpos').style.top);
return vm.load().then(function () { return inj.get('$timeout')(function () {}, 0); }).then(function () {
  out.push('loaded=' + text('#ngloaded'));
});
`},
	{name: "vue3", swaps: true, libs: []string{"vue-3.5.13.global.prod.js"}, body: `<div id="vue-app"></div>`, smoke: `
var Vue = crmGlobal('Vue');
out.push('vue ' + Vue.version);
var vm = Vue.createApp({
  data: function () { return { count: 0, items: ['a', 'b'], top: 12, left: 5 }; },
  computed: { doubled: function () { return this.count * 2; } },
  template: '<div><button id="vbtn" @click="count++">+</button> <span id="vcount">{{ count }}/{{ doubled }}</span>' +
    '<ul><li v-for="i in items" :key="i" class="vi">{{ i.toUpperCase() }}</li></ul>' +
    '<div id="vtip" :style="{ position: \'relative\', top: top + \'px\', left: left + \'px\' }">tip at {{ top }},{{ left }}</div>' +
    '<input id="vin" v-model.number="top"></div>'
}).mount('#vue-app');
document.getElementById('vbtn').click();
vm.items.push('c');
var text = function (sel) { return Array.prototype.map.call(document.querySelectorAll(sel), function (e) { return e.textContent; }).join(','); };
return Vue.nextTick().then(function () {
  out.push('count=' + text('#vcount') + ' items=' + text('#vue-app li.vi') + ' tip=' + text('#vtip') + ' ' + document.getElementById('vtip').style.top);
  var i = document.getElementById('vin');
  i.value = '30';
  i.dispatchEvent(new Event('input'));
  return Vue.nextTick();
}).then(function () {
  out.push('v-model=' + vm.top + ' tip=' + text('#vtip') + ' ' + document.getElementById('vtip').style.top);
});
`},
	{name: "react18", libs: []string{"react-18.3.1.production.min.js", "react-dom-18.3.1.production.min.js"}, body: `<div id="react-root"></div>`, smoke: `
var React = crmGlobal('React'), ReactDOM = crmGlobal('ReactDOM'), h = React.createElement;
out.push('react ' + React.version + ' ' + ReactDOM.version);
var effects = 0;
function Row(props) { return h('li', { className: 'ri' }, props.name); }
function Counter(props) {
  var s = React.useState(props.start), n = s[0], set = s[1];
  React.useEffect(function () { effects++; }, [n]);
  return h('div', null,
    h('button', { id: 'rbtn', onClick: function () { set(n + 1); } }, '+'),
    h('span', { id: 'rcount', style: { position: 'relative', top: n + 'px' } }, 'count ' + n),
    h('ul', null, ['x', 'y'].slice(0, n - 2).map(function (k) { return h(Row, { key: k, name: k }); })));
}
var root = ReactDOM.createRoot(document.getElementById('react-root'));
ReactDOM.flushSync(function () { root.render(h(Counter, { start: 3 })); });
var text = function (sel) { return Array.prototype.map.call(document.querySelectorAll(sel), function (e) { return e.textContent; }).join(','); };
out.push('first=' + text('#rcount') + ' rows=' + text('li.ri'));
document.getElementById('rbtn').click();
return crmWait(20).then(function () {
  out.push('clicked=' + text('#rcount') + ' ' + document.getElementById('rcount').style.top + ' rows=' + text('li.ri') + ' effects=' + effects);
});
`},
	{name: "lodash", swaps: true, libs: []string{"lodash-4.17.21.min.js"}, body: ``, smoke: `
var _ = crmGlobal('_');
out.push('lodash ' + _.VERSION);
var rows = _.template('<ul><% _.forEach(rows, function (r) { %><li><%- r.name %>: <%= r.calls %></li><% }); %></ul>');
out.push(rows({ rows: [{ name: 'A<b>', calls: 2 }, { name: 'C', calls: 0 }] }));
out.push(_.template('pos <%= top %>/<%= left %>')({ top: 7, left: 3 }));
out.push(_.template('${ data.top } ${ data.name }', { variable: 'data' })({ top: 1, name: 'n' }));
out.push(_.chain([5, 1, 4]).sortBy().map(function (n) { return n * 2; }).join(',').value() + ' ' +
  JSON.stringify(_.groupBy(['one', 'two', 'three'], 'length')) + ' ' + _.get({ a: { b: [{ c: 1 }] } }, 'a.b[0].c'));
return new Promise(function (resolve) {
  var calls = 0, d = _.debounce(function (v) { calls++; resolve('debounced ' + v + ' x' + calls); }, 20);
  d(1); d(2); d(3);
}).then(function (s) { out.push(s); });
`},
	{name: "backbone", swaps: true, libs: []string{"jquery-3.7.1.min.js", "underscore-1.13.7.umd.min.js", "backbone-1.6.0.min.js"}, body: `<div id="bb"></div>`, smoke: `
var _ = crmGlobal('_'), Backbone = crmGlobal('Backbone'), $ = crmGlobal('jQuery');
out.push('underscore ' + _.VERSION + ' backbone ' + Backbone.VERSION);
out.push(_.template('<%= top %>-<%- name %>')({ top: 4, name: '<i>' }));
var Contact = Backbone.Model.extend({ defaults: { name: '', calls: 0 } });
var Contacts = Backbone.Collection.extend({ model: Contact, url: '/api/data', comparator: 'name', parse: function (d) { return d.items; } });
var View = Backbone.View.extend({
  el: '#bb',
  template: _.template('<% contacts.each(function (c) { %><p class="bbc"><%- c.get("name") %> <%= c.get("calls") %></p><% }); %>'),
  events: { 'click .bbc': 'bump' },
  initialize: function () { this.listenTo(this.collection, 'change add sort', this.render); },
  render: function () { this.$el.html(this.template({ contacts: this.collection })); return this; },
  bump: function (e) { var c = this.collection.at($(e.currentTarget).index()); c.set('calls', c.get('calls') + 1); }
});
var list = new Contacts(), view = new View({ collection: list });
var text = function () { return $('#bb p').map(function () { return $(this).text(); }).get().join(','); };
return list.fetch().then(function () {
  out.push('fetched=' + text());
  $('#bb p').eq(1).trigger('click');
  list.add({ name: 'Aaron', calls: 9 });
  out.push('after=' + text());
});
`},
	{name: "handlebars", libs: []string{"handlebars-4.7.8.min.js"}, body: `<div id="hb"></div>`, smoke: `
var Handlebars = crmGlobal('Handlebars');
out.push('handlebars ' + Handlebars.VERSION);
Handlebars.registerHelper('upper', function (s) { return String(s).toUpperCase(); });
Handlebars.registerPartial('row', '<li>{{upper name}}{{#if vip}} *{{/if}}</li>');
var tpl = Handlebars.compile('<ul>{{#each contacts}}{{> row}}{{/each}}</ul><p>{{title}} at {{pos.top}}/{{top}} {{{raw}}}</p>');
var html = tpl({ contacts: [{ name: 'ann', vip: true }, { name: 'bo' }], title: 'A&B', pos: { top: 3 }, top: 9, raw: '<em>r</em>' });
document.getElementById('hb').innerHTML = html;
out.push(html, 'lis=' + document.querySelectorAll('#hb li').length);
`},
	{name: "moment", libs: []string{"moment-2.30.1.min.js"}, body: ``, smoke: `
var moment = crmGlobal('moment');
out.push('moment ' + moment.version);
var m = moment.utc('2024-02-29T13:45:00Z');
out.push(m.format('YYYY-MM-DD HH:mm dddd'), m.clone().add(1, 'year').format('LL'), String(moment.utc('2024-03-01').diff(m, 'hours')),
  m.from(moment.utc('2024-03-10T13:45:00Z')), moment.duration(90, 'minutes').humanize(), String(moment.utc('31/12/2023', 'DD/MM/YYYY').isValid()),
  moment.utc('2024-01-01').startOf('isoWeek').format('ddd D MMM'));
`},
	{name: "prototype", swaps: true, libs: []string{"prototype-1.7.3.js", "scriptaculous-effects-1.9.0.js"}, body: `
<ul id="plist"></ul><div id="pslot"></div>
<form id="pform"><input name="name" value="Ann"><select name="kind"><option>lead</option><option selected>customer</option></select><input type="checkbox" name="vip" value="1" checked><input name="skip" disabled value="x"></form>
<div id="pbox" style="position:absolute;top:140px;left:300px;width:60px;height:20px;background:#8ac">box</div><div id="pfade">fade</div>`, smoke: `
crmGlobal('Prototype'); crmGlobal('Effect');
out.push('prototype ' + Prototype.Version + ' effects ' + Object.keys(Effect.Transitions).sort().join(','));
var list = $('plist');
[3, 1, 2].each(function (n) { list.insert(new Element('li', { 'class': 'pi', 'data-n': n }).update('Item ' + n)); });
out.push('items=' + $$('#plist li.pi').length + ' sorted=' + $$('#plist li').pluck('innerHTML').sortBy(function (s) { return s; }).join(',') +
  ' sum=' + $$('#plist li').inject(0, function (a, li) { return a + Number(li.readAttribute('data-n')); }));
var clicks = 0;
list.observe('click', function (ev) { var li = ev.findElement('li'); if (li) clicks += Number(li.readAttribute('data-n')); });
$$('#plist li')[0].click();
$$('#plist li')[2].click();
var fired = [];
document.observe('crm:saved', function (ev) { fired.push(ev.memo.id); });
$('pslot').fire('crm:saved', { id: 42 });
out.push('clicks=' + clicks + ' fired=' + fired.join(','));
var greet = function (greeting) { return greeting + ' ' + this.name; }.bind({ name: 'Bob' });
out.push(greet('hi') + ' ' + 'background-color'.camelize() + ' ' + 'a-b-c'.gsub('-', '+') + ' ' + '<b>x</b>'.stripTags() + ' ' + $H({ a: 1, b: 2 }).toQueryString());
out.push(new Template('#{name} at #{pos.top}/#{top}').evaluate({ name: 'Ann', pos: { top: 3 }, top: 9 }));
out.push('form=' + $('pform').serialize() + ' ' + Object.toJSON(Form.serialize('pform', true)));
$('pslot').update('<b>x</b><a href="#" onclick="window.crmPClicks = (window.crmPClicks || 0) + 1; return false">a</a><script>var crmT = top; window.crmPScript = typeof crmT;<\/script>');
$$('#pslot a')[0].click();
out.push('update=' + $$('#pslot b').length + ' inline=' + window.crmPClicks + ' offset=' + $('pbox').cumulativeOffset().top + '/' + $('pbox').positionedOffset().left);
return new Promise(function (resolve, reject) {
  new Ajax.Request('/api/data', { method: 'get', onSuccess: resolve, onFailure: function (t) { reject(new Error('ajax ' + t.status)); } });
}).then(function (t) {
  out.push('ajax=' + t.responseJSON.name + '/' + t.responseJSON.items.length + ' eval=' + t.responseText.evalJSON(true).items[1].name);
  return new Promise(function (resolve) { new Effect.Morph('pbox', { style: 'width:120px', duration: 0.1, afterFinish: resolve }); });
}).then(function () {
  // update() ran the script with evalScripts, deferred by 10 ms
  out.push('morph=' + $('pbox').getStyle('width') + ' script=' + window.crmPScript);
  return new Promise(function (resolve) { new Effect.Fade('pfade', { duration: 0.05, afterFinish: resolve }); });
}).then(function () {
  out.push('fade=' + !$('pfade').visible());
});
`},
	// Knockout compiles its bindings with eval(TrustedScript) and sets
	// html: bindings with TrustedHTML when trustedTypes exists (Chromium):
	// the shim swaps their text and wraps it again through its own policy.
	{name: "knockout", swaps: true, libs: []string{"knockout-3.5.3.js"}, body: `
<script type="text/html" id="ko-row"><li class="kr" data-bind="text: name() + ' ' + calls(), click: $parent.bump, css: { vip: calls() > 3 }"></li></script>
<div id="ko">
<ul id="kolist" data-bind="template: { name: 'ko-row', foreach: contacts }"></ul>
<button id="koadd" data-bind="click: add">add</button> <span id="kototal" data-bind="text: total"></span>
<div id="kotip" data-bind="style: { position: 'relative', top: top() + 'px' }, text: 'tip at ' + top()"></div>
<p id="kohtml" data-bind="html: note"></p> <span id="koecho" data-bind="text: q().toUpperCase()"></span>
<input id="koq" data-bind="textInput: q"> <span id="koslow" data-bind="text: slow"></span>
<ol id="kofetched" data-bind="foreach: fetched"><li data-bind="text: $index() + ':' + name"></li></ol>
</div>`, smoke: `
var ko = crmGlobal('ko');
out.push('knockout ' + ko.version);
function Contact(name, calls) { this.name = ko.observable(name); this.calls = ko.observable(calls); }
var vm = {
  contacts: ko.observableArray([new Contact('Bob', 2), new Contact('Alice', 5)]),
  top: ko.observable(7), q: ko.observable(''), fetched: ko.observableArray([]),
  note: ko.observable('<b>bold</b> <a href="#" onclick="window.crmKoClicks = (window.crmKoClicks || 0) + 1; return false">inline</a>'),
  add: function () { vm.contacts.push(new Contact('Carol', 1)); vm.top(vm.top() + 1); },
  bump: function (c) { c.calls(c.calls() + 1); }
};
vm.total = ko.pureComputed(function () { return vm.contacts().reduce(function (s, c) { return s + c.calls(); }, 0); });
vm.slow = ko.pureComputed(function () { return 'slow ' + vm.q(); }).extend({ rateLimit: 20 });
ko.applyBindings(vm, document.getElementById('ko'));
var text = function (sel) { return Array.prototype.map.call(document.querySelectorAll(sel), function (e) { return e.textContent; }).join(','); };
document.getElementById('koadd').click();
document.querySelectorAll('#kolist li')[0].click();
document.querySelector('#kohtml a').click();
var q = document.getElementById('koq');
q.value = 'vip';
q.dispatchEvent(new Event('input'));
out.push('rows=' + text('#kolist li') + ' vip=' + document.querySelectorAll('#kolist li.vip').length + ' total=' + text('#kototal'),
  'tip=' + text('#kotip') + ' ' + document.getElementById('kotip').style.top + ' html=' + document.getElementById('kohtml').innerHTML + ' inline=' + window.crmKoClicks,
  'echo=' + text('#koecho') + ' slow=' + text('#koslow'));
return new Promise(function (resolve, reject) {
  var x = new XMLHttpRequest();
  x.open('GET', '/api/data');
  x.onload = function () { resolve(ko.utils.parseJson(x.responseText)); };
  x.onerror = reject;
  x.send();
}).then(function (d) {
  ko.utils.arrayPushAll(vm.fetched, ko.utils.arrayFilter(d.items, function (i) { return i.calls > 1; }));
  out.push('fetched=' + text('#kofetched li') + ' json=' + ko.toJSON({ top: vm.top, n: vm.fetched().length }));
  return crmWait(60);
}).then(function () {
  out.push('slow=' + text('#koslow'));
});
`},
	// zone.js (what Angular CRMs load first) replaces Promise and patches
	// timers, EventTarget, XHR and fetch, over the shim's own hooks: every
	// callback must run in the zone that scheduled it.
	{name: "zonejs", libs: []string{"zone-0.16.3.umd.min.js"}, body: `<button id="zbtn">z</button>`, smoke: `
var Zone = crmGlobal('Zone');
out.push('zone ' + typeof Zone.__symbol__ + ' promise=' + (Promise === window[Zone.__symbol__('Promise')] ? 'native' : 'zone'));
var tasks = {}, left = [];
var z = Zone.current.fork({
  name: 'crm', properties: { tag: 'agent' },
  onScheduleTask: function (d, cur, target, task) { if (task.source) tasks[task.type + ':' + task.source] = true; return d.scheduleTask(target, task); },
  onHasTask: function (d, cur, target, s) { if (!s.macroTask && !s.microTask) left.push('idle'); return d.hasTask(target, s); }
});
var inZone = function (what) { crmCheck(Zone.current === z && Zone.current.get('tag') === 'agent', what + ' ran in ' + Zone.current.name); };
return z.run(function () {
  var clicked = 0;
  document.getElementById('zbtn').addEventListener('click', function () { inZone('click'); clicked++; });
  document.getElementById('zbtn').click();
  return new Promise(function (resolve) { setTimeout(function () { inZone('setTimeout'); resolve(); }, 5); }).then(function () {
    inZone('then');
    return new Promise(function (resolve, reject) {
      var x = new XMLHttpRequest();
      x.open('GET', '/api/data');
      x.onload = function () { inZone('xhr'); resolve(JSON.parse(x.responseText)); };
      x.onerror = reject;
      x.send();
    });
  }).then(function (d) {
    out.push('xhr=' + d.name + ' clicked=' + clicked);
    return fetch('/api/data').then(function (r) { inZone('fetch'); return r.json(); });
  }).then(function (d) {
    out.push('fetch=' + d.items.length);
    return new Promise(function (resolve) { requestAnimationFrame(function () { inZone('raf'); resolve(); }); });
  }).then(function () {
    var n = 0;
    return new Promise(function (resolve) {
      var id = setInterval(function () { inZone('interval'); if (++n === 3) { clearInterval(id); resolve(n); } }, 5);
    });
  }).then(function (n) {
    out.push('interval=' + n + ' tasks=' + Object.keys(tasks).sort().join(','));
    return crmWait(20);
  }).then(function () {
    out.push('idle=' + (left.length > 0));
  });
});
`},
	// htmx 2: hx-get/hx-post swaps over real requests (the fragment's
	// script runs, its hx- attributes are processed), hx-push-url and the
	// history restore on back (pushState, popstate), hx-on handlers
	// compiled with Function (window.top in one: swapped by the shim).
	{name: "htmx", swaps: true, libs: []string{"htmx-2.0.11.min.js"}, body: `
<button id="hxbtn" hx-get="/api/frag" hx-target="#hxout" hx-swap="innerHTML" hx-push-url="?list=1">load</button><div id="hxout"></div>
<form id="hxform" hx-post="/api/echo" hx-swap="outerHTML"><input name="who" value="Ann"><button id="hxsave">save</button></form>
<div id="hxon" hx-on:click="this.textContent = 'clicked ' + typeof window.top + ' ' + (this.getBoundingClientRect().top >= 0) + ' ' + event.type">x</div>`, smoke: `
var htmx = crmGlobal('htmx');
out.push('htmx ' + htmx.version);
var settled = function (sel) {
  return crmUntil(function () { return document.querySelector(sel); }, 5000, sel).then(function (e) { return crmWait(20).then(function () { return e; }); });
};
var events = [];
document.body.addEventListener('htmx:afterSwap', function (e) { if (e.detail.requestConfig) events.push(e.detail.requestConfig.verb + ' ' + e.detail.pathInfo.requestPath); });
// htmx processes the body once it is parsed
return new Promise(function (r) { document.addEventListener('DOMContentLoaded', r); }).then(function () {
  document.getElementById('hxbtn').click();
  return settled('#hxlist');
}).then(function () {
  out.push('list=' + document.querySelectorAll('#hxlist li').length + ' ' + document.getElementById('hxmore').textContent + ' script=' + window.crmHxScript);
  document.getElementById('hxmore').click();
  return settled('#hxmore2');
}).then(function (e) {
  out.push('more=' + e.textContent);
  document.getElementById('hxsave').click();
  return settled('#hxsaved');
}).then(function (e) {
  out.push('form=' + e.textContent);
  document.getElementById('hxon').click();
  out.push('hx-on=' + document.getElementById('hxon').textContent + ' swaps=' + events.join(','));
  return htmx.ajax('GET', '/api/frag2', { target: '#hxout', swap: 'beforeend' });
}).then(function () {
  out.push('ajax=' + document.querySelectorAll('#hxout #hxmore2').length + ' url=' + location.search);
  // back: htmx restores the page it saved before hx-push-url
  var restored = new Promise(function (r) { document.body.addEventListener('htmx:historyRestore', r, { once: true }); });
  history.back();
  return restored;
}).then(function () {
  out.push('back=' + location.search + ' list=' + document.querySelectorAll('#hxlist').length + ' out=' + document.getElementById('hxout').children.length);
});
`},
	// Alpine 3: x-data, x-for, x-model, :style and @click evaluated with
	// AsyncFunction + with (a data property named top: swapped).
	{name: "alpine", swaps: true, deferLibs: true, libs: []string{"alpinejs-3.17.5.min.js"}, body: `
<div id="al" x-data="{ count: 0, top: 7, items: ['a', 'b'], q: '', name: '', get doubled() { return this.count * 2 } }" x-init="name = (await (await fetch('/api/data')).json()).name">
<button id="albtn" @click="count++; top++; items.push('c')">+</button> <span id="alcount" x-text="count + '/' + doubled"></span>
<ul><template x-for="i in items" :key="i"><li class="ali" x-text="i.toUpperCase()"></li></template></ul>
<div id="altip" :style="{ position: 'relative', top: top + 'px' }" x-text="'tip at ' + top"></div>
<input id="alq" x-model="q"> <span id="alecho" x-text="q.toUpperCase()"></span> <span id="alname" x-text="name"></span>
<p id="alshow" x-show="count > 0">shown</p>
</div>`, smoke: `
var text = function (sel) { return Array.prototype.map.call(document.querySelectorAll(sel), function (e) { return e.textContent; }).join(','); };
return crmUntil(function () { return window.Alpine && document.getElementById('alcount').textContent; }, 5000, 'Alpine to start').then(function () {
  out.push('alpine ' + Alpine.version + ' first=' + text('#alcount') + ' items=' + text('li.ali') + ' shown=' + (document.getElementById('alshow').style.display !== 'none'));
  document.getElementById('albtn').click();
  var q = document.getElementById('alq');
  q.value = 'vip';
  q.dispatchEvent(new Event('input'));
  return Alpine.nextTick();
}).then(function () {
  out.push('count=' + text('#alcount') + ' items=' + text('li.ali') + ' tip=' + text('#altip') + ' ' + document.getElementById('altip').style.top + ' echo=' + text('#alecho'));
  // x-show reveals on the next frame (a timer when the tab is hidden)
  return crmUntil(function () { return document.getElementById('alshow').style.display !== 'none'; }, 3000, 'x-show');
}).then(function () {
  return crmUntil(function () { return text('#alname'); }, 5000, 'x-init fetch');
}).then(function (n) {
  out.push('fetched=' + n);
});
`},
	// Bootstrap 5 (Popper inside): a modal with its focus trap, a dropdown
	// and a tooltip placed by Popper from client rects (its rect.top reads
	// go through the rewriter's accessor).
	{name: "bootstrap", css: []string{"bootstrap-5.3.9.min.css"}, libs: []string{"bootstrap-5.3.9.bundle.min.js"}, body: `
<button id="bsopen" class="btn btn-primary" data-bs-toggle="modal" data-bs-target="#bsmodal">open</button>
<div class="modal fade" id="bsmodal" tabindex="-1"><div class="modal-dialog"><div class="modal-content"><div class="modal-body"><input id="bsin"> <button id="bsclose" class="btn" data-bs-dismiss="modal">close</button></div></div></div></div>
<div class="dropdown d-inline-block"><button id="bsdd" class="btn dropdown-toggle" data-bs-toggle="dropdown">more</button><ul class="dropdown-menu"><li><a class="dropdown-item" href="#">Call</a></li></ul></div>
<span id="bstip" title="Hello" style="margin-left:40px">tip</span>`, smoke: `
var bootstrap = crmGlobal('bootstrap');
out.push('bootstrap ' + bootstrap.Modal.VERSION);
var once = function (el, ev) { return new Promise(function (r) { el.addEventListener(ev, r, { once: true }); }); };
var modal = document.getElementById('bsmodal'), inModal = function () { return modal.contains(document.activeElement); };
var shown = once(modal, 'shown.bs.modal');
document.getElementById('bsopen').click();
return shown.then(function () {
  var focused = inModal();
  document.getElementById('bsdd').focus(); // outside: the focus trap takes it back
  out.push('modal=' + modal.classList.contains('show') + ' focus=' + focused + ' trapped=' + inModal() + ' body=' + document.body.classList.contains('modal-open') + ' backdrop=' + document.querySelectorAll('.modal-backdrop').length);
  var hidden = once(modal, 'hidden.bs.modal');
  document.getElementById('bsclose').click();
  return hidden;
}).then(function () {
  out.push('closed=' + !modal.classList.contains('show') + ' body=' + document.body.classList.contains('modal-open') + ' back=' + (document.activeElement && document.activeElement.id));
  var dd = document.getElementById('bsdd'), menu = dd.nextElementSibling;
  var shownDd = once(dd, 'shown.bs.dropdown');
  dd.click();
  return shownDd.then(function () { return crmWait(20); }).then(function () {
    var b = dd.getBoundingClientRect(), m = menu.getBoundingClientRect();
    out.push('dropdown=' + menu.classList.contains('show') + ' ' + menu.getAttribute('data-popper-placement') + ' below=' + (m.top >= b.bottom - 1) + ' aligned=' + (Math.abs(m.left - b.left) < 2));
    bootstrap.Dropdown.getInstance(dd).hide();
  });
}).then(function () {
  var el = document.getElementById('bstip'), tip = new bootstrap.Tooltip(el, { placement: 'bottom', animation: false });
  var s = once(el, 'shown.bs.tooltip');
  tip.show();
  return s.then(function () { return crmWait(20); }).then(function () {
    var t = document.querySelector('.tooltip'), r = el.getBoundingClientRect(), tr = t.getBoundingClientRect();
    out.push('tooltip=' + t.textContent + ' ' + t.getAttribute('data-popper-placement') + ' below=' + (tr.top >= r.bottom - 1) + ' centred=' + (Math.abs((tr.left + tr.right) / 2 - (r.left + r.right) / 2) < 2));
    tip.dispose();
  });
});
`},
	// Chart.js 4: a bar chart drawn on a canvas (pixels read back), an
	// animated update (requestAnimationFrame), a tooltip from a mouse event
	// mapped through the canvas' client rect.
	{name: "chartjs", libs: []string{"chart-4.6.1.umd.min.js"}, body: `<div style="width:300px;height:150px"><canvas id="chart" width="300" height="150"></canvas></div>`, smoke: `
var Chart = crmGlobal('Chart');
out.push('chart.js ' + Chart.version);
var canvas = document.getElementById('chart');
var done;
var chart = new Chart(canvas, {
  type: 'bar',
  data: { labels: ['mon', 'tue', 'wed'], datasets: [{ label: 'calls', data: [3, 1, 2], backgroundColor: 'rgb(255, 0, 0)' }] },
  options: { responsive: false, devicePixelRatio: 1, animation: { duration: 40, onComplete: function () { if (done) done(); } }, plugins: { legend: { display: false } } }
});
var pixel = function (i) {
  var b = chart.getDatasetMeta(0).data[i], d = canvas.getContext('2d').getImageData(Math.round(b.x), Math.round((b.y + b.base) / 2), 1, 1).data;
  return d[0] + ',' + d[1] + ',' + d[2];
};
var first = new Promise(function (r) { done = r; });
return first.then(function () {
  out.push('bar0=' + pixel(0) + ' gap=' + (canvas.getContext('2d').getImageData(2, 2, 1, 1).data[3]));
  var next = new Promise(function (r) { done = r; });
  chart.data.datasets[0].data[1] = 4;
  chart.data.datasets[0].backgroundColor = 'rgb(0, 0, 255)';
  chart.update();
  return next;
}).then(function () {
  var b = chart.getDatasetMeta(0).data[1], r = canvas.getBoundingClientRect();
  out.push('bar1=' + pixel(1) + ' taller=' + (chart.getDatasetMeta(0).data[1].y < chart.getDatasetMeta(0).data[0].y));
  canvas.dispatchEvent(new MouseEvent('mousemove', { clientX: r.left + b.x, clientY: r.top + (b.y + b.base) / 2, bubbles: true }));
  return crmWait(60).then(function () {
    var a = chart.tooltip.getActiveElements();
    out.push('tooltip=' + a.length + ' ' + (a[0] && chart.data.labels[a[0].index]) + ' ' + (a[0] && chart.tooltip.body[0].lines.join('')));
  });
});
`},
	// Dojo 1.17's AMD loader (async mode) fetches each module with its own
	// script element; the page uses declare, the DOM helpers, on() with a
	// selector (dojo/query, whose engine the loader picks at run time),
	// request/xhr and Deferred.
	{name: "dojo", head: `<script>var dojoConfig = { async: true };</script>` + "\n", libs: []string{"dojo-1.17.3/dojo.js"}, loads: libDojoLoads(false), body: `<ul id="dlist"></ul>`, smoke: `
crmGlobal('require');
return new Promise(function (resolve, reject) {
  require.on('error', function (e) { reject(new Error('dojo loader: ' + (e.message || e) + ' ' + JSON.stringify(e.info || ''))); });
  require(['dojo/_base/kernel', 'dojo/_base/declare', 'dojo/dom', 'dojo/dom-construct', 'dojo/dom-class', 'dojo/on', 'dojo/query', 'dojo/request/xhr', 'dojo/Deferred', 'dojo/json', 'dojo/topic', 'dojo/domReady!'],
    function (kernel, declare, dom, domConstruct, domClass, on, query, xhr, Deferred, json, topic) {
      resolve({ kernel: kernel, declare: declare, dom: dom, domConstruct: domConstruct, domClass: domClass, on: on, query: query, xhr: xhr, Deferred: Deferred, json: json, topic: topic });
    });
}).then(function (d) {
  out.push('dojo ' + d.kernel.version + ' async=' + require.async);
  var Counter = d.declare(null, { n: 0, constructor: function (s) { this.n = s; }, inc: function () { return ++this.n; } });
  var Vip = d.declare(Counter, { inc: function () { return this.inherited(arguments) * 10; } });
  out.push('declare=' + new Vip(2).inc());
  var list = d.dom.byId('dlist');
  [3, 1, 2].forEach(function (n) { d.domConstruct.create('li', { className: 'di', innerHTML: 'Item ' + n, 'data-n': n }, list); });
  var clicks = 0, heard = [];
  d.on(list, 'li:click', function () { clicks += Number(this.getAttribute('data-n')); });
  d.query('#dlist li')[0].click();
  d.query('#dlist li')[2].click();
  d.topic.subscribe('crm/saved', function (id) { heard.push(id); });
  d.topic.publish('crm/saved', 42);
  d.domClass.add(list, 'busy');
  out.push('items=' + d.query('#dlist li.di').length + ' clicks=' + clicks + ' heard=' + heard.join(',') + ' class=' + list.className + ' json=' + d.json.parse('{"a":[1,2]}').a[1]);
  var def = new d.Deferred();
  setTimeout(function () { def.resolve('later'); }, 5);
  return def.promise.then(function (v) {
    out.push('deferred=' + v);
    return d.xhr('/api/data', { handleAs: 'json' });
  });
}).then(function (data) {
  out.push('xhr=' + data.name + '/' + data.items.length);
  out.push('loaded=' + crmLoaded().join(','));
});
`},
	// Dojo 1.17 as legacy CRMs use it: the loader in synchronous mode
	// fetches dojo/main's modules with XMLHttpRequest and evals them
	// (Function('return eval(arguments[0])')), then dojo.require, dojo.*
	// DOM and event helpers, dojo.fromJson (eval), dojo.xhrGet, dojo.fadeOut.
	{name: "dojo-legacy", head: `<script>var dojoConfig = { async: false };</script>` + "\n", libs: []string{"dojo-1.17.3/dojo.js"}, loads: libDojoLoads(true),
		body: `<ul id="dlist"></ul><div id="dbox" style="width:40px;height:20px;background:#8ac">box</div>`, smoke: `
var dojo = crmGlobal('dojo');
dojo.require('dojo.string');
out.push('dojo ' + dojo.version + ' async=' + require.async + ' ' + dojo.string.substitute('${name} at ${pos.top}', { name: 'Ann', pos: { top: 3 } }) + ' ' + dojo.string.pad('7', 3));
dojo.declare('crm.Counter', null, { n: 0, constructor: function (s) { this.n = s; }, inc: function () { return ++this.n; } });
out.push('declare=' + new crm.Counter(4).inc());
var list = dojo.byId('dlist');
[3, 1, 2].forEach(function (n) { dojo.create('li', { className: 'di', innerHTML: 'Item ' + n, 'data-n': n }, list); });
var clicks = 0;
dojo.connect(list, 'onclick', function (e) { clicks += Number(dojo.attr(e.target, 'data-n')); });
dojo.query('#dlist li')[0].click();
dojo.query('#dlist li')[1].click();
dojo.addClass(list, 'busy');
out.push('items=' + dojo.query('#dlist li.di').length + ' clicks=' + clicks + ' class=' + list.className + ' json=' + dojo.fromJson('{"a":[1,2]}').a[1] + ' ' + dojo.toJson({ top: 1 }));
return new Promise(function (resolve, reject) {
  dojo.xhrGet({ url: '/api/data', handleAs: 'json', load: resolve, error: reject });
}).then(function (d) {
  out.push('xhrGet=' + d.name + '/' + d.items.length);
  return new Promise(function (resolve) { dojo.fadeOut({ node: 'dbox', duration: 50, onEnd: resolve }).play(); });
}).then(function () {
  out.push('fade=' + dojo.style('dbox', 'opacity'));
  out.push('loaded=' + crmLoaded().join(','));
});
`},
	// TinyMCE 6 (an email composer): it builds its editing iframe, loads
	// its theme, model, icons and skins by its base URL, and the test
	// types into the editor body with real key presses (Enter, then text).
	{name: "tinymce", libs: []string{"tinymce-6.8.6/tinymce.min.js"}, typeText: "\rHi", loads: []string{
		"tinymce-6.8.6/themes/silver/theme.min.js", "tinymce-6.8.6/models/dom/model.min.js", "tinymce-6.8.6/icons/default/icons.min.js",
		"tinymce-6.8.6/skins/ui/oxide/skin.min.css", "tinymce-6.8.6/skins/ui/oxide/content.min.css", "tinymce-6.8.6/skins/content/default/content.min.css",
	}, body: `<textarea id="mce"><p>Dear customer,</p></textarea>`, smoke: `
var tinymce = crmGlobal('tinymce');
out.push('tinymce ' + tinymce.majorVersion + '.' + tinymce.minorVersion);
var keys = 0, ed;
return tinymce.init({ selector: '#mce', menubar: false, statusbar: false, toolbar: 'bold italic | undo redo', height: 200, width: 500, promotion: false, branding: false }).then(function (eds) {
  ed = eds[0];
  crmCheck(ed && ed.initialized, 'editor initialised');
  var doc = ed.getDoc();
  out.push('iframe=' + ed.iframeElement.tagName + ' editable=' + ed.getBody().isContentEditable + ' content=' + ed.getContent() + ' toolbar=' + document.querySelectorAll('.tox-tbtn').length);
  ed.on('keydown', function () { keys++; });
  // the click lands anywhere in the body: type after the greeting
  ed.on('mouseup', function () { ed.selection.select(ed.getBody().lastChild, true); ed.selection.collapse(false); });
  var r = ed.iframeElement.getBoundingClientRect();
  document.getElementById('crm-type').textContent = JSON.stringify({ X: Math.round(r.left + 40), Y: Math.round(r.top + 20) });
  return crmUntil(function () { return /Hi/.test(ed.getContent()); }, 10000, 'the typed text (content ' + ed.getContent() + ')');
}).then(function () {
  out.push('typed=' + ed.getContent().replace(/\n/g, ' ') + ' keys=' + keys + ' dirty=' + ed.isDirty() + ' focus=' + ed.hasFocus());
  ed.selection.select(ed.getBody().lastChild, true);
  document.querySelector('.tox-tbtn[aria-label="Bold"]').click();
  out.push('bold=' + ed.getContent().replace(/\n/g, ' ') + ' pressed=' + document.querySelector('.tox-tbtn[aria-label="Bold"]').getAttribute('aria-pressed'));
  ed.undoManager.undo();
  out.push('undo=' + ed.getContent().replace(/\n/g, ' '));
  out.push('loaded=' + crmLoaded().concat(crmLoaded(ed.getWin())).join(','));
});
`},
}

// libDojoLoads: the modules the dojo page's loader fetches (legacy: in
// synchronous mode).
func libDojoLoads(legacy bool) []string {
	out := []string{"dojo-1.17.3/json.js", "dojo-1.17.3/on.js"}
	mods := libDojoModules
	if legacy {
		mods = libDojoLegacyModules
	}
	for _, m := range mods {
		out = append(out, "dojo-1.17.3/"+m+".js")
	}
	return out
}

// libPageHTML builds a smoke page.
func libPageHTML(t *testing.T, p libPage) string {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>CRM %s</title>\n%s%s", p.name, libHarness, p.head)
	for _, c := range p.css {
		fmt.Fprintf(&b, "<link rel=\"stylesheet\" href=\"/libs/%s\">\n", c)
	}
	deferred := ""
	if p.deferLibs {
		deferred = " defer"
	}
	for _, l := range p.libs {
		fmt.Fprintf(&b, "<script src=\"/libs/%s\"%s></script>\n", l, deferred)
	}
	if p.inline != "" {
		src, err := os.ReadFile(filepath.Join(libDir, p.inline))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(strings.ToLower(string(src)), "</script") {
			t.Fatalf("%s cannot be inlined: it contains </script", p.inline)
		}
		fmt.Fprintf(&b, "<script>%s</script>\n", src)
	}
	fmt.Fprintf(&b, "</head><body>\n<div id=\"crm-marker\">pending</div><pre id=\"crm-out\"></pre><div id=\"crm-env\"></div><div id=\"crm-swaps\"></div><div id=\"crm-type\"></div>\n%s\n<script>crmRun(function (out) {%s});</script>\n</body></html>\n", p.body, p.smoke)
	return b.String()
}

// libUpstream is the CRM. deny: it refuses to be framed (only crmframe
// makes it frameable).
func libUpstream(t *testing.T, deny bool, pages map[string]string) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("/libs/", func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/libs/")
		ctype := "application/javascript; charset=utf-8"
		if _, ok := libFiles[name]; !ok {
			if ctype, ok = libAssets[name]; !ok {
				// A library fetched a file that is not vendored: it
				// would misbehave in a way the smoke code may not see.
				t.Errorf("upstream: %s requested, not vendored", r.URL.Path)
				http.NotFound(w, r)
				return
			}
		}
		w.Header().Set("Content-Type", ctype)
		w.Header().Set("Cache-Control", "no-store")
		http.ServeFile(w, r, filepath.Join(libDir, filepath.FromSlash(name)))
	})
	// htmx: a fragment (with a script and htmx attributes of its own) and
	// a form post echoed back.
	mux.HandleFunc("/api/frag", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		fmt.Fprintf(w, `<ul id="hxlist"><li>Zoe</li><li>Bea</li></ul><p id="hxmore" hx-get="/api/frag2" hx-trigger="click" hx-swap="outerHTML">more (%s)</p><script>window.crmHxScript = (window.crmHxScript || 0) + 1;</script>`,
			html.EscapeString(r.Header.Get("HX-Request")))
	})
	mux.HandleFunc("/api/frag2", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		fmt.Fprint(w, `<p id="hxmore2">Max, Ann</p>`)
	})
	mux.HandleFunc("/api/echo", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		fmt.Fprintf(w, `<p id="hxsaved">%s saved %s</p>`, html.EscapeString(r.Method), html.EscapeString(r.PostFormValue("who")))
	})
	mux.HandleFunc("/api/data", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		fmt.Fprint(w, `{"name":"Acme","items":[{"name":"Zoe","calls":1},{"name":"Bea","calls":4},{"name":"Max","calls":2}]}`)
	})
	mux.HandleFunc("/page/", func(w http.ResponseWriter, r *http.Request) {
		body, ok := pages[strings.TrimSuffix(path.Base(r.URL.Path), ".html")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if deny {
			w.Header().Set("X-Frame-Options", "DENY")
		}
		fmt.Fprint(w, body)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

type libVariant string

const (
	libFramed libVariant = "framed-crmframe"
	libTop    libVariant = "top-crmframe"
	libPlain  libVariant = "framed-plain"
)

// libEnv is what the page's harness sees of the shim in each variant.
var libEnv = map[libVariant]string{libFramed: "framed/neutralize", libTop: "top/neutralize", libPlain: "none"}

type libResult struct {
	Marker, Out, Env, URL, Swaps string
}

const libProbeJS = `(function(){
  var m = document.getElementById('crm-marker');
  if (document.readyState !== 'complete' || !m || m.textContent === 'pending') return null;
  var t = function (id) { var e = document.getElementById(id); return e ? e.textContent : ''; };
  return {Marker: m.textContent, Out: t('crm-out'), Env: t('crm-env'), URL: location.href, Swaps: t('crm-swaps')};
})()`

// libRun loads the page in the tab and waits for its verdict (the marker
// leaves "pending"), then looks again a moment later so that late errors
// count.
func libRun(ctx context.Context, p libPage, pageURL, deskBase string, framed bool) (libResult, error) {
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		return libResult{}, err
	}
	target := pageURL
	if framed {
		target = deskBase + "/desk?src=" + url.QueryEscape(pageURL)
	}
	if _, err := chromedp.Call(ctx, page.Navigate, page.NavigateParams{URL: target}); err != nil {
		return libResult{}, err
	}
	if p.typeText != "" {
		if err := libType(ctx, framed, p.typeText); err != nil {
			return libResult{}, err
		}
	}
	r, err := fbProbe[libResult](ctx, framed, libProbeJS, 20*time.Second)
	if err != nil {
		return libResult{}, fmt.Errorf("no verdict in #crm-marker: %w", err)
	}
	return r, nil
}

// libType waits for the page to say where to click (#crm-type, in the
// page's viewport: the desktop's frame is at 0,0), clicks there and types
// text as real key presses, which go to the focused frame (an editor's
// iframe inside the CRM's).
func libType(ctx context.Context, framed bool, text string) error {
	at, err := fbProbe[struct{ X, Y float64 }](ctx, framed, `(function(){
  var t = document.getElementById('crm-type');
  return t && t.textContent ? JSON.parse(t.textContent) : null;
})()`, 20*time.Second)
	if err != nil {
		return fmt.Errorf("the page never asked for keys: %w", err)
	}
	if err := cdpClick(ctx, at.X, at.Y); err != nil {
		return err
	}
	for _, c := range text {
		key, code, vk, txt := string(c), "Key"+strings.ToUpper(string(c)), int64(unicode.ToUpper(c)), string(c)
		if c == '\r' {
			key, code, vk = "Enter", "Enter", 13
		}
		if err := cdpKey(ctx, key, code, vk, txt); err != nil {
			return err
		}
	}
	return nil
}

// libInlineScripts returns the text of the inline scripts of an HTML page.
func libInlineScripts(t *testing.T, doc string) []string {
	t.Helper()
	z := html.NewTokenizer(strings.NewReader(doc))
	var out []string
	in := false
	for {
		switch z.Next() {
		case html.ErrorToken:
			return out
		case html.StartTagToken:
			name, hasAttr := z.TagName()
			in = string(name) == "script"
			for hasAttr && in {
				var k []byte
				k, _, hasAttr = z.TagAttr()
				if string(k) == "src" {
					in = false
				}
			}
		case html.TextToken:
			if in {
				out = append(out, string(z.Text()))
			}
		default:
			in = false
		}
	}
}

func TestLibrariesChromium(t *testing.T) {
	t.Parallel() // a crmframe process of its own: runs beside the other browser suites
	start := time.Now()
	// CRMFRAME_LIBS=name,name runs only these pages (while working on one).
	if only := os.Getenv("CRMFRAME_LIBS"); only != "" {
		var keep []libPage
		for _, p := range libPages {
			if strings.Contains(","+only+",", ","+p.name+",") {
				keep = append(keep, p)
			}
		}
		libPages = keep
	}
	pages := map[string]string{}
	for _, p := range libPages {
		pages[p.name] = libPageHTML(t, p)
	}
	used := map[string]bool{}
	for _, p := range libPages {
		for _, l := range append(append(append(p.libs, p.inline), p.css...), p.loads...) {
			used[l] = true
		}
	}
	for _, files := range []map[string]string{libFiles, libAssets} {
		if os.Getenv("CRMFRAME_LIBS") != "" {
			break
		}
		for f := range files {
			if !used[f] {
				t.Errorf("%s is vendored but no page loads it", f)
			}
		}
	}

	protected := libUpstream(t, true, pages)
	plain := libUpstream(t, false, pages)
	desk := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><title>desk</title><body style="margin:0"><iframe id="crm" src="%s" style="position:absolute;left:0;top:0;width:800px;height:500px;border:0"></iframe></body>`, html.EscapeString(r.URL.Query().Get("src")))
	}))
	t.Cleanup(desk.Close)
	// The desktop is cross-site to the CRM: localhost vs 127.0.0.1.
	deskBase := "http://localhost:" + strings.TrimPrefix(desk.URL, "http://127.0.0.1:")

	port, metricsPort := caddyrun.FreePort(t), caddyrun.FreePort(t)
	caddyrun.Run(t, fmt.Sprintf(`{
	log {
		level ERROR
		exclude http.log.error
	}
}
http://127.0.0.1:%d {
	crm_frame {
		frame_ancestors %s
	}
	reverse_proxy %s
}
http://127.0.0.1:%d {
	metrics /metrics
}
`, port, deskBase, strings.TrimPrefix(protected.URL, "http://"), metricsPort), fmt.Sprintf("http://127.0.0.1:%d/", port))
	crm := fmt.Sprintf("http://127.0.0.1:%d", port)
	metricsURL := fmt.Sprintf("http://127.0.0.1:%d/metrics", metricsPort)

	// Every library went through the JS-response rewriter: the body is
	// exactly what jsrewrite makes of it, changed where the library reads
	// `.top` of a window, counted as rewritten_js, and the second request
	// comes from js_cache.
	t.Run("responses", func(t *testing.T) {
		names := make([]string, 0, len(libFiles))
		for f := range libFiles {
			names = append(names, f)
		}
		sort.Strings(names)
		metric := func(name string, labels map[string]string) float64 { return fbMetric(t, metricsURL, name, labels) }
		rw0 := metric("crmframe_proxy_responses_total", map[string]string{"action": "rewritten_js"})
		miss0 := metric("crmframe_proxy_js_cache_total", map[string]string{"result": "miss"})
		hit0 := metric("crmframe_proxy_js_cache_total", map[string]string{"result": "hit"})
		for round := 0; round < 2; round++ {
			for _, f := range names {
				src, err := os.ReadFile(filepath.Join(libDir, f))
				if err != nil {
					t.Fatal(err)
				}
				want, res := jsrewrite.Rewrite(src, jsrewrite.Classic)
				if res.Err != nil {
					t.Errorf("%s: the rewriter cannot lex it: %v", f, res.Err)
				}
				if _, up := fbGet(t, plain.URL+"/libs/"+f); up != string(src) {
					t.Fatalf("%s: the plain upstream changed it", f)
				}
				_, got := fbGet(t, crm+"/libs/"+f)
				if got != string(want) {
					t.Errorf("%s (round %d): crmframe served %d bytes, want jsrewrite's %d bytes", f, round, len(got), len(want))
				}
				if changed := got != string(src); changed != (libFiles[f] != "") {
					t.Errorf("%s: rewritten=%v, want %v (counts %v)", f, changed, libFiles[f] != "", res.Counts)
				}
				if libFiles[f] != "" && !strings.Contains(got, libFiles[f]) {
					t.Errorf("%s: no %s in the rewritten file", f, libFiles[f])
				}
			}
		}
		// The counters move when the handler finishes, which may be just
		// after the client read the last byte (JS carries a Content-Length).
		n := float64(len(names))
		for _, c := range []struct {
			name, label, value string
			base, want         float64
		}{
			{"crmframe_proxy_responses_total", "action", "rewritten_js", rw0, 2 * n},
			{"crmframe_proxy_js_cache_total", "result", "miss", miss0, n},
			{"crmframe_proxy_js_cache_total", "result", "hit", hit0, n},
		} {
			eventually(t, c.name+" "+c.value, 5*time.Second, func() (bool, string) {
				d := metric(c.name, map[string]string{c.label: c.value}) - c.base
				return d == c.want, fmt.Sprintf("rose by %v, want %v", d, c.want)
			})
		}

		// The inline path: the page's scripts are rewritten in the HTML,
		// the inlined jQuery included, and the harness' window[name] and
		// eval(...) are wrapped.
		if pages["jquery3-inline"] == "" {
			return // CRMFRAME_LIBS left it out
		}
		_, doc := fbGet(t, crm+"/page/jquery3-inline.html")
		src, _ := os.ReadFile(filepath.Join(libDir, "jquery-3.7.1.min.js"))
		wantLib, _ := jsrewrite.Rewrite(src, jsrewrite.Classic)
		var sawLib, sawKey, sawCode bool
		for _, s := range libInlineScripts(t, doc) {
			sawLib = sawLib || s == string(wantLib)
			sawKey = sawKey || strings.Contains(s, "window["+jsrewrite.KeyWrapOpen+"name"+jsrewrite.KeyWrapClose+"]")
			sawCode = sawCode || strings.Contains(s, "eval("+jsrewrite.EvalWrapOpen+"'(' + text + ')'"+jsrewrite.EvalWrapClose+")")
		}
		if !sawLib || !sawKey || !sawCode {
			t.Errorf("inline scripts of jquery3-inline through crmframe: rewritten jQuery %v, window[name] wrapped %v, eval wrapped %v", sawLib, sawKey, sawCode)
		}
		if _, doc := fbGet(t, plain.URL+"/page/jquery3-inline.html"); doc != pages["jquery3-inline"] {
			t.Error("the plain upstream changed the page")
		}
	})
	if t.Failed() {
		return
	}

	browser := chromium.New(t)
	type job struct {
		p libPage
		v libVariant
	}
	var jobs []job
	for _, p := range libPages {
		for _, v := range []libVariant{libFramed, libTop, libPlain} {
			jobs = append(jobs, job{p, v})
		}
	}
	type result struct {
		job
		r   libResult
		err error
		dur time.Duration
	}
	results := make([]result, len(jobs))
	browserStart := time.Now()
	chromium.OnTabs(t, browser, libTabs, len(jobs), func(tab context.Context, i int, tabErr error) {
		j := jobs[i]
		if tabErr != nil {
			results[i] = result{j, libResult{}, tabErr, 0}
			return
		}
		base := crm
		if j.v == libPlain {
			base = plain.URL
		}
		ctx, cancel := context.WithTimeout(tab, 30*time.Second)
		t0 := time.Now()
		r, err := libRun(ctx, j.p, base+"/page/"+j.p.name+".html", deskBase, j.v != libTop)
		cancel()
		results[i] = result{j, r, err, time.Since(t0)}
	})

	outs := map[string]map[libVariant]string{}
	for _, r := range results {
		name := r.p.name + " " + string(r.v)
		if r.err != nil {
			t.Errorf("%s: %v", name, r.err)
			continue
		}
		if r.r.Marker != "ok" {
			t.Errorf("%s: %s\noutput so far:\n%s", name, r.r.Marker, r.r.Out)
		}
		if r.r.Env != libEnv[r.v] {
			t.Errorf("%s: the page saw crmframe as %q, want %q", name, r.r.Env, libEnv[r.v])
		}
		if r.p.swaps && r.v == libFramed && (r.r.Swaps == "" || r.r.Swaps == "0") {
			t.Errorf("%s: the shim swapped no code string (stats.code %q): the run-time path was not exercised", name, r.r.Swaps)
		}
		if outs[r.p.name] == nil {
			outs[r.p.name] = map[libVariant]string{}
		}
		outs[r.p.name][r.v] = r.r.Out
	}
	for _, p := range libPages {
		o := outs[p.name]
		if o[libPlain] == "" {
			t.Errorf("%s: no smoke output without crmframe", p.name)
			continue
		}
		for _, l := range p.loads {
			if !strings.Contains(o[libPlain], l) {
				t.Errorf("%s: the library did not fetch %s (not in its crmLoaded list)", p.name, l)
			}
		}
		for _, v := range []libVariant{libFramed, libTop} {
			if got, ok := o[v]; ok && got != o[libPlain] {
				t.Errorf("%s %s: smoke output differs from the page without crmframe:\n%s\n--- want ---\n%s", p.name, v, got, o[libPlain])
			}
		}
		if testing.Verbose() {
			b, _ := json.Marshal(o[libPlain])
			t.Logf("%s: %s", p.name, b)
		}
	}
	if testing.Verbose() {
		sort.Slice(results, func(a, b int) bool { return results[a].dur > results[b].dur })
		var slow []string
		for _, r := range results[:min(8, len(results))] {
			slow = append(slow, fmt.Sprintf("%s %s %v", r.p.name, r.v, r.dur.Round(10*time.Millisecond)))
		}
		t.Logf("slowest loads: %s", strings.Join(slow, ", "))
	}
	t.Logf("%d pages x 3 variants; browser part %v, whole test %v (%d tabs)", len(libPages),
		time.Since(browserStart).Round(100*time.Millisecond), time.Since(start).Round(100*time.Millisecond), libTabs)
}
