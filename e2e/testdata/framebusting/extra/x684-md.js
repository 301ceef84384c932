// x684 helper (not a case), blog-md.js shape: the Markdown after the tag
// that loads this file sits in a comment that runs to the end of the file
// (no closing marker); on load the comment's text is rendered.
function processMarkdown() {
  var tw = document.createTreeWalker(document, NodeFilter.SHOW_COMMENT), c, md = '';
  while ((c = tw.nextNode())) if (c.data.length > md.length) md = c.data;
  var art = document.createElement('article');
  art.className = 'kb';
  art.innerHTML = mdRender(md.replace(/<\/(body|html)>\s*$/g, ''));
  document.body.appendChild(art);
}
document.write('<!--');
window.onload = function () {
  processMarkdown();
  if (window.afterRender) window.afterRender();
};
