/**
 * If site is not being framed, start commenting out seckit.no_body.css.
 */
if (top === self) {
  document.write('<!--');
}
