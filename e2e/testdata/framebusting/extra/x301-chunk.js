// a lazily loaded chunk of the CRM's bundle; it checks the window it runs in
(function () {
  var inFrame = window.top !== window.self;
  document.getElementById("crm-marker").textContent = "CRM page x301 ok" + (inFrame ? "" : "");
})();
