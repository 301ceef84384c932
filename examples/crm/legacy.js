// Acme CRM v4.2 "security" include (do not remove - IT dept 2009)
if (top.location != self.location) {
    top.location.href = self.location.href;
}
function crmSessionExpired() {
    alert('Your session has expired');
    top.location = 'index.html';
}
