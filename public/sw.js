// 家警务's service worker. Pages come from the network first; when it is slow, the copy
// kept of that page is shown, and when it is gone, the kept copy or the offline page.
// Public pages are kept as a visitor sees them, fetched again without the person's cookies
// (signed-in pages are `no-store`). Of a signed-in person's own pages only two are kept,
// for them alone: their mediation cases, with the next session, and the volunteers' page,
// with the shifts they signed up for. Those copies go when they sign out, or when the
// server no longer knows them, so that nothing of an account stays on a shared phone.
// Static files are kept as they are fetched; the bundle and stylesheet under a name with
// their content's hash never change, so the kept copy serves without asking the network.
// Anything but GET passes straight through: a form is never kept or replayed behind the
// person's back.

const STATIC = "static-v2";
const PAGES = "pages-v1";
const OWN = "own-v1";
const OFFLINE = "/offline";
// Pages worth having offline: the notices, the list of them, the home page.
const KEPT = [/^\/$/, /^\/notices$/, /^\/notices\/\d+$/];
const KEEP_AT_MOST = 30;
// A person's own pages worth having offline: what they will need to know on the way.
const OWN_PAGES = [/^\/mediation$/, /^\/volunteers$/];
const SIGN_OUT = "/api/logout";
// How long a page may take before a kept copy is shown instead.
const PATIENCE_MS = 4000;

// `portal.<16 hex digits>.css`: a file of one release.
const HASHED = /^\/pkg\/[^/.]+\.[0-9a-f]{16}\.[a-z]+$/;

const visitor = (path) => new Request(path, { credentials: "omit" });

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(STATIC)
      .then(async (cache) => {
        await cache.addAll(["/favicon.svg", "/icons/192.png"].map(visitor));
        // The offline page, and the stylesheet it names: its name changes with each release.
        const offline = await fetch(visitor(OFFLINE));
        if (!offline.ok) {
          throw new Error("no offline page");
        }
        const html = await offline.clone().text();
        await cache.put(OFFLINE, offline);
        const sheet = html.match(/<link[^>]*rel="stylesheet"[^>]*href="([^"]+)"/);
        if (sheet) {
          await cache.add(visitor(sheet[1]));
        }
      })
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(keys.filter((k) => k !== STATIC && k !== PAGES && k !== OWN).map((k) => caches.delete(k))),
      )
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  if (request.method === "POST" && url.pathname === SIGN_OUT) {
    // Forgotten before the sign-out is even sent: it may fail, the person meant it.
    event.waitUntil(caches.delete(OWN));
    return;
  }
  if (request.method !== "GET") {
    return;
  }
  if (request.mode === "navigate" && OWN_PAGES.some((path) => path.test(url.pathname))) {
    event.respondWith(ownPage(request, url));
  } else if (request.mode === "navigate") {
    event.respondWith(page(request, url));
  } else if (url.pathname.startsWith("/pkg/") || url.pathname.startsWith("/icons/") || url.pathname === "/favicon.svg") {
    event.respondWith(asset(request));
  }
});

async function page(request, url) {
  return networkFirst(
    request,
    () => caches.match(url.pathname, { cacheName: PAGES }),
    (response) => {
      if (response.ok && KEPT.some((path) => path.test(url.pathname))) {
        // A visitor's page is public as it is; a signed-in person's is `no-store` and is
        // fetched again as a visitor sees it.
        keep(url.pathname, personal(response) ? null : response.clone());
      }
    },
  );
}

// A person's own page. A copy is kept only of the page as they saw it signed in; any other
// answer (the way to sign in, once the session is gone) forgets it.
async function ownPage(request, url) {
  return networkFirst(
    request,
    () => caches.match(url.pathname, { cacheName: OWN }),
    (response) => {
      const copy = response.ok && !response.redirected && personal(response) ? response.clone() : null;
      caches.open(OWN).then((cache) => (copy ? cache.put(url.pathname, copy) : cache.delete(url.pathname)));
    },
  );
}

const personal = (response) => (response.headers.get("cache-control") || "").includes("no-store");

// The network's answer when it comes within PATIENCE_MS (`seen` first); when it is slow,
// the kept copy if there is one; without a network, the kept copy or the offline page.
async function networkFirst(request, kept, seen) {
  const fetching = fetch(request).then((response) => {
    seen(response);
    return response;
  });
  const slow = new Promise((resolve) => setTimeout(resolve, PATIENCE_MS, "slow"));
  try {
    const first = await Promise.race([fetching, slow]);
    if (first !== "slow") {
      return first;
    }
    return (await kept()) || (await fetching);
  } catch {
    return (await kept()) || (await caches.match(OFFLINE, { cacheName: STATIC })) || Response.error();
  }
}

// Keeps the public copy of a page: the one given, or one fetched without cookies.
async function keep(path, given) {
  try {
    const response = given || (await fetch(path, { credentials: "omit" }));
    if (!response.ok) {
      return;
    }
    const cache = await caches.open(PAGES);
    await cache.put(path, response);
    const keys = await cache.keys();
    await Promise.all(keys.slice(0, Math.max(0, keys.length - KEEP_AT_MOST)).map((key) => cache.delete(key)));
  } catch {
    // Offline again before the copy came: the older copy stays.
  }
}

async function asset(request) {
  const cache = await caches.open(STATIC);
  const path = new URL(request.url).pathname;
  const hashed = HASHED.test(path);
  if (hashed) {
    const kept = await cache.match(request);
    if (kept) {
      return kept;
    }
  }
  try {
    const response = await fetch(request);
    if (response.ok) {
      await cache.put(request, response.clone());
      if (hashed) {
        await forgetEarlier(cache, path);
      }
    }
    return response;
  } catch {
    return (await cache.match(request)) || Response.error();
  }
}

// A release's file replaces the one of the same name and kind from an earlier release.
async function forgetEarlier(cache, path) {
  const [stem, , extension] = path.split(".");
  for (const key of await cache.keys()) {
    const other = new URL(key.url).pathname;
    const [otherStem, , otherExtension] = other.split(".");
    if (other !== path && HASHED.test(other) && otherStem === stem && otherExtension === extension) {
      await cache.delete(key);
    }
  }
}
