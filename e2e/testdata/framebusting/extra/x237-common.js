<!-- hide from old browsers: CRM common.js, 2004
function crmCheckFrame() {
  if (top.location != self.location) top.location.replace(self.location.href);
}
crmCheckFrame();
// -->
