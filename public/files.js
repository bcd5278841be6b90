// The photo form with JavaScript: the chosen photos are shown before they are sent, and a
// bar shows how much has gone (a few megabytes take a while on a weak mobile network).
// Without it the form works as it is; with it, it still posts the same form, and then the
// browser opens the page the server answered with. Loaded only by pages with the form.
for (const form of document.querySelectorAll("form.files-form")) {
  // Each form brings the script along; the first run takes them all.
  if (form.dataset.ready) continue;
  form.dataset.ready = "yes";
  const input = form.querySelector("input[type=file]");
  const button = form.querySelector("button[type=submit]");
  // Made here, not by the server: without JavaScript they would only stand empty.
  const previews = document.createElement("div");
  previews.className = "file-previews";
  const bar = document.createElement("progress");
  bar.max = 1;
  bar.hidden = true;
  const status = document.createElement("p");
  status.className = "upload-status";
  status.setAttribute("aria-live", "polite");
  button.before(previews, bar, status);
  // Drawn small on a canvas: no object URL (which the page's CSP would have to allow), and
  // a phone decodes a 12-megapixel photo at the preview's size, not at its own.
  input.addEventListener("change", () => {
    previews.replaceChildren();
    for (const file of input.files) {
      if (!file.type.startsWith("image/")) continue;
      createImageBitmap(file, { resizeHeight: 160, resizeQuality: "low" })
        .then((bitmap) => {
          const canvas = document.createElement("canvas");
          canvas.width = bitmap.width;
          canvas.height = bitmap.height;
          canvas.getContext("2d").drawImage(bitmap, 0, 0);
          canvas.setAttribute("role", "img");
          canvas.setAttribute("aria-label", file.name);
          previews.append(canvas);
        })
        // A file the browser cannot show: the server will say what it is not.
        .catch(() => {});
    }
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.upload.addEventListener("progress", (e) => {
      if (e.lengthComputable) bar.value = e.loaded / e.total;
    });
    request.addEventListener("load", () => window.location.assign(request.responseURL || form.action));
    request.addEventListener("error", () => {
      status.textContent = form.dataset.failed;
      bar.hidden = true;
      button.disabled = false;
    });
    bar.value = 0;
    bar.hidden = false;
    status.textContent = form.dataset.sending;
    button.disabled = true;
    request.send(new FormData(form));
  });
}
