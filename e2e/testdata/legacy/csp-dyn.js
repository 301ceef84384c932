// Loaded by a nonced script: allowed by 'strict-dynamic'.
window.crmDyn = 'dyn-' + (typeof window.top);
