// Demo desktop configuration. Override per page load with query parameters:
//   index.html?crm=http://localhost:8081/&agent=a2
//   index.html?crm=https://crm.example/crm/&prefix=/crm/__crmframe (a CRM
//   mounted under /crm with handle_path: crmframe's endpoints are there too)
window.DESKTOP_CONFIG = {
  // The CRM as agents see it: crmframe in front of the legacy CRM.
  crmUrl: 'http://localhost:8081/',
  // crmframe's path prefix on the CRM origin (WebSocket, demo token endpoint).
  prefix: '/__crmframe',
  // Default agent id for the login form.
  agent: 'a1',
  // Id this shell announces on the WebSocket (relays to it use "desktop:<id>").
  shellId: 'shell',
  // Widget id of the CRM (TAB.GoTo / sendDataToWidget target).
  crmWidgetId: 'crm',
};
