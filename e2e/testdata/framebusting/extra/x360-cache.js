// the permutation's code as GWT emits it for the iframe install location
var $wnd = $wnd || window.parent;
var $doc = $wnd.document;
var $moduleName, $moduleBase;
function gwtOnLoad() {
  // com.google.gwt.user.client.Window.Location.getParameter
  var q = $wnd.location.search.substring(1).split('&'), params = {};
  for (var i = 0; i < q.length; i++) { var kv = q[i].split('='); params[kv[0]] = kv[1]; }
  var root = $doc.getElementById('gwt-root');
  var lbl = $doc.createElement('div');
  lbl.className = 'gwt-Label';
  lbl.appendChild($doc.createTextNode('Contacts (' + 3 + ')'));
  root.appendChild(lbl);
  // layout: a module embedded in a portal page shows without its header
  var embedded = $wnd.top !== $wnd;
  var consistent = embedded === ($wnd.parent !== $wnd);
  $wnd.setTimeout(function () {
    $wnd.crm360.moduleLoaded({ wndIsHost: $wnd === window.parent, docIsHost: $doc === window.parent.document, step: params.step, consistent: consistent });
  }, 10);
}
gwtOnLoad();
