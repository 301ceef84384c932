// a Module Federation remote exposing single-spa lifecycles
const publicPath = new URL('.', import.meta.url).href;
let shared;
export async function bootstrap() {
  shared = window.__FEDERATION__.__SHARE__.default.crmCore.get();
}
export async function mount(props) {
  const ok = publicPath === new URL('.', location.href).href;
  props.domElement.textContent = props.name + ' app for ' + shared.user + ', public path ' + (ok ? 'same' : publicPath);
}
export async function unmount(props) { props.domElement.textContent = ''; }
