// External script loaded by document.write; it writes a script with src too.
crmOut('dw 4 ext');
window.crmExt = 'ext-set';
document.write('<script src="/legacy/dw-ext2.js"><\/script>');
document.write('<script>crmOut("dw 4c after ext2 " + window.crmExt2)<\/script>');
