// Progressive enhancement only: every page works without this file.
document.documentElement.classList.add("js");

document.addEventListener("htmx:responseError", function (event) {
  var toast = document.getElementById("toast");
  if (!toast) return;
  var status = event.detail.xhr.status;
  toast.textContent = document.documentElement.lang === "en"
    ? "Not saved (" + status + "). Reload the page and try again."
    : "保存できませんでした (" + status + ")。ページを再読み込みして、もう一度お試しください。";
  toast.hidden = false;
  setTimeout(function () { toast.hidden = true; }, 8000);
});

document.addEventListener("htmx:sendError", function () {
  var toast = document.getElementById("toast");
  if (!toast) return;
  toast.textContent = document.documentElement.lang === "en"
    ? "The server cannot be reached. Your last change was not saved."
    : "サーバーに接続できません。直前の変更は保存されていません。";
  toast.hidden = false;
});
