package e2e

// Compatibility of crmframe's JavaScript rewriter and run-time shim with
// real production builds of widely used libraries (testdata/libs, versions
// and licences in its README.md): jQuery 1.x and 3.x, jQuery UI, AngularJS,
// Vue 3 (global build with the template compiler), React 18 + ReactDOM,
// lodash, underscore + Backbone, Handlebars, moment, and what legacy CRMs
// ship: Prototype 1.7 with script.aculo.us effects (they extend native and
// DOM prototypes) and Knockout 3.5.
//
// An upstream CRM (X-Frame-Options: DENY) serves one page per library; the
// libraries are external .js files (JS-response rewriter and js_cache) and
// jQuery 3 is also inlined (HTML inline-script path). Every page runs a
// small smoke script that exercises the library for real (selectors,
// handlers, $.ajax, animations, widgets, ng-repeat/ng-click, Vue and React
// re-renders, template compilers that use Function, formatting) and writes
// "ok" or the first error (window.onerror, unhandledrejection, a failed
// check) into #crm-marker and its results into #crm-out. Each page is loaded
//   - framed by a desktop on another site, through crmframe (the shim acts),
//   - top-level through crmframe (the shim is mostly dormant),
//   - framed without crmframe (control),
// and must say "ok" with the same #crm-out every time. Before the browser,
// every library's response through crmframe must be exactly what
// jsrewrite.Rewrite makes of it, counted as rewritten_js, and served from
// js_cache the second time.

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
}

// libPageHTML builds a smoke page.
func libPageHTML(t *testing.T, p libPage) string {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>CRM %s</title>\n%s", p.name, libHarness)
	for _, l := range p.libs {
		fmt.Fprintf(&b, "<script src=\"/libs/%s\"></script>\n", l)
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
	fmt.Fprintf(&b, "</head><body>\n<div id=\"crm-marker\">pending</div><pre id=\"crm-out\"></pre><div id=\"crm-env\"></div><div id=\"crm-swaps\"></div>\n%s\n<script>crmRun(function (out) {%s});</script>\n</body></html>\n", p.body, p.smoke)
	return b.String()
}

// libUpstream is the CRM. deny: it refuses to be framed (only crmframe
// makes it frameable).
func libUpstream(t *testing.T, deny bool, pages map[string]string) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("/libs/", func(w http.ResponseWriter, r *http.Request) {
		name := path.Base(r.URL.Path)
		if _, ok := libFiles[name]; !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/javascript; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		http.ServeFile(w, r, filepath.Join(libDir, name))
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
func libRun(ctx context.Context, pageURL, deskBase string, framed bool) (libResult, error) {
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
	r, err := fbProbe[libResult](ctx, framed, libProbeJS, 20*time.Second)
	if err != nil {
		return libResult{}, fmt.Errorf("no verdict in #crm-marker: %w", err)
	}
	return r, nil
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
	pages := map[string]string{}
	for _, p := range libPages {
		pages[p.name] = libPageHTML(t, p)
	}
	used := map[string]bool{}
	for _, p := range libPages {
		for _, l := range append(p.libs, p.inline) {
			used[l] = true
		}
	}
	for f := range libFiles {
		if !used[f] {
			t.Errorf("%s is vendored but no page loads it", f)
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
	}
	results := make([]result, len(jobs))
	browserStart := time.Now()
	chromium.OnTabs(t, browser, libTabs, len(jobs), func(tab context.Context, i int, tabErr error) {
		j := jobs[i]
		if tabErr != nil {
			results[i] = result{j, libResult{}, tabErr}
			return
		}
		base := crm
		if j.v == libPlain {
			base = plain.URL
		}
		ctx, cancel := context.WithTimeout(tab, 30*time.Second)
		r, err := libRun(ctx, base+"/page/"+j.p.name+".html", deskBase, j.v != libTop)
		cancel()
		results[i] = result{j, r, err}
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
	t.Logf("%d pages x 3 variants; browser part %v, whole test %v (%d tabs)", len(libPages),
		time.Since(browserStart).Round(100*time.Millisecond), time.Since(start).Round(100*time.Millisecond), libTabs)
}
