// a legacy library loaded with document.write; it reads its layout from the written table
window.X322Lib = { cells: document.querySelectorAll('#layout td').length, framed: (function () { try { return top.location.href ? 'same' : 'same'; } catch (e) { return 'foreign'; } })() };
