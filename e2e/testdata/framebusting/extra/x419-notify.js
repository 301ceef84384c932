// notifyShell: the application's shell is top when we can read it (same
// origin: the application is not inside a portal), else our parent
function notifyShell(msg) {
  var topIsOurs = false;
  try { topIsOurs = typeof window.top.location.href === 'string'; } catch (e) { /* portal on another origin */ }
  if (topIsOurs) window.top.postMessage(msg, location.origin);
  else window.parent.postMessage(msg, location.origin);
}
