/* crmframe AGENTDESKTOP SDK (placeholder until the SDK issue lands). */
(function (w) {
  "use strict";
  if (w.AGENTDESKTOP && w.AGENTDESKTOP.__crmframe) return;
  w.AGENTDESKTOP = { __crmframe: true, version: "0.1.0" };
})(window);
