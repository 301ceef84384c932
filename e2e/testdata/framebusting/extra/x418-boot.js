// the page's loader is the first script of <head>: its path gives the root
// of the other files, its data- attributes the modules to load (the way
// small CRMs and the mixpanel loader snippet find their own tag)
var __boot = document.head.getElementsByTagName('script')[0];
window.BOOT418 = {
  root: (__boot.getAttribute('src') || '').replace('boot.js', ''),
  modules: __boot.hasAttribute('data-import') ? __boot.getAttribute('data-import').split(' ').join(',') : '',
  site: document.getElementsByTagName('script')[0].getAttribute('data-site')
};
