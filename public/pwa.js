// Installs the service worker (public/sw.js), which keeps the portal usable on a weak or
// absent network. A separate file, not the WASM bundle: it must run on every page, and
// pages that need no island should not load WASM for it.
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {});
}
