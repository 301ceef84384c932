// x683 helper (not a case): the legacy-IE fixes a CRM loaded only inside an
// IE conditional comment; it switches the app to its degraded mode.
window.CRM_LEGACY_IE = true;
document.documentElement.className += ' lt-ie9';
