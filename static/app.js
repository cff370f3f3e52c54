// Confirmation dialogs for forms and htmx buttons marked with data-confirm. Kept in a file
// because the Content-Security-Policy allows no inline script.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var message = form.getAttribute && form.getAttribute("data-confirm");
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
}, true);
document.addEventListener("htmx:confirm", function (event) {
  var message = event.target.getAttribute("data-confirm");
  if (!message) return;
  event.preventDefault();
  if (window.confirm(message)) event.detail.issueRequest();
});

// Evidence upload with a progress bar: the form still works without this script (it posts and
// the server redirects); with it, the bytes go by XMLHttpRequest so the officer sees progress.
(function () {
  var form = document.getElementById("evidence-upload");
  if (!form || !window.XMLHttpRequest || !window.FormData) return;
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var bar = document.getElementById("ev-progress");
    var status = document.getElementById("ev-status");
    var button = form.querySelector("button[type=submit]");
    var request = new XMLHttpRequest();
    request.open("POST", form.getAttribute("action"));
    request.setRequestHeader("Accept", "application/json");
    request.setRequestHeader("X-CSRF-Token", form.getAttribute("data-csrf"));
    bar.hidden = false;
    button.disabled = true;
    request.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) {
        bar.value = Math.round((e.loaded / e.total) * 100);
        status.textContent = bar.value + "%";
      }
    });
    request.addEventListener("load", function () {
      button.disabled = false;
      var body = {};
      try { body = JSON.parse(request.responseText); } catch (ignored) { body = {}; }
      if (request.status === 201 && body.id) {
        status.textContent = "已入库 SHA-256 " + body.sha256.slice(0, 16) + "…";
        window.location.href = "/evidence/" + body.id;
      } else {
        status.textContent = body.message || ("上传失败（" + request.status + "）");
      }
    });
    request.addEventListener("error", function () {
      button.disabled = false;
      status.textContent = "网络中断，文件未保存，请重试";
    });
    request.send(new FormData(form));
  });
})();
