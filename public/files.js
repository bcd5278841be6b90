// The photo form with JavaScript: the chosen photos are shown before they are sent, and a
// bar shows how much has gone (a few megabytes take a while on a weak mobile network).
// Without it the form works as it is; with it, it still posts the same form, and then the
// browser opens the page the server answered with. Loaded only by pages with the form.
for (const form of document.querySelectorAll("form.files-form")) {
  // Each form brings the script along; the first run takes them all.
  if (form.dataset.ready) continue;
  form.dataset.ready = "yes";
  const input = form.querySelector("input[type=file]");
  const previews = form.querySelector(".file-previews");
  const bar = form.querySelector("progress");
  const status = form.querySelector(".upload-status");
  const button = form.querySelector("button[type=submit]");
  input.addEventListener("change", () => {
    for (const old of previews.querySelectorAll("img")) URL.revokeObjectURL(old.src);
    previews.replaceChildren();
    for (const file of input.files) {
      if (!file.type.startsWith("image/")) continue;
      const img = document.createElement("img");
      img.src = URL.createObjectURL(file);
      img.alt = file.name;
      previews.append(img);
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
