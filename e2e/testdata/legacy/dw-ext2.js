crmOut('dw 4b ext2 top=' + typeof window.top);
window.crmExt2 = 'ext2-set';
