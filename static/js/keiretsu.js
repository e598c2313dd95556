// Progressive enhancement only: every page works without this file.
document.documentElement.classList.add("js");

function keiretsuToast(text, keep) {
  var toast = document.getElementById("toast");
  if (!toast) return;
  toast.textContent = text;
  toast.hidden = false;
  if (!keep) setTimeout(function () { toast.hidden = true; }, 8000);
}

function keiretsuEnglish() { return document.documentElement.lang === "en"; }

document.addEventListener("htmx:responseError", function (event) {
  var status = event.detail.xhr.status;
  keiretsuToast(keiretsuEnglish()
    ? "Not saved (" + status + "). Reload the page and try again."
    : "保存できませんでした (" + status + ")。ページを再読み込みして、もう一度お試しください。");
});

document.addEventListener("htmx:sendError", function () {
  keiretsuToast(keiretsuEnglish()
    ? "The server cannot be reached. Your last change was not saved."
    : "サーバーに接続できません。直前の変更は保存されていません。", true);
});

// The checklist (assessments/assessment_detail.html, templatetags/checklist.py).
// - Each item's rating comes as a select; the page's one rating widget pattern
//   (<template id="rating-widget">) makes it a group of rating buttons.
// - A rating is saved when chosen (click, Space, Enter); the arrow keys move within the group
//   without saving until then (or until focus leaves the group), and focus stays on the item.
// - Reasons and comments are saved while typing (after a pause) and when leaving the field;
//   the page warns before leaving while typed text is not yet saved.
(function () {
  var TYPING_PAUSE_MS = 700;
  var timers = {}, typed = {}, unsavedRating = {}, queues = {};
  var inFlight = 0, arrowing = false;

  function enhance(root) {
    var widget = document.getElementById("rating-widget");
    if (!widget || !root.querySelectorAll) return;
    root.querySelectorAll(".answer select[name$='-rating']").forEach(function (select) {
      var group = widget.content.firstElementChild.cloneNode(true);
      group.querySelectorAll("input").forEach(function (input) {
        input.name = select.name;
        input.checked = select.value !== "" && input.value === select.value;
      });
      group.disabled = select.disabled;
      select.closest("label").replaceWith(group);
    });
  }

  function itemOf(element) {
    var block = element.closest && element.closest(".answer[id^='answer-']");
    return block ? block.id.slice("answer-".length) : null;
  }

  function fields(block) {
    var values = {};
    block.querySelectorAll("input, textarea, select").forEach(function (field) {
      if (!field.name || field.disabled || (field.type === "radio" && !field.checked)) return;
      values[field.name] = field.value;
    });
    return values;
  }

  function save(pk, kind) {
    var form = document.getElementById("answers");
    if (!form || !document.getElementById("answer-" + pk)) return Promise.resolve();
    inFlight += 1;
    var previous = queues[pk] || Promise.resolve();
    queues[pk] = previous.then(function () {
      var block = document.getElementById("answer-" + pk);
      if (!block) return null;
      var sent = fields(block);
      var body = new URLSearchParams(sent);
      body.append("item", pk);
      body.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
      block.classList.add("saving");
      return fetch(form.action, {method: "POST", body: body, credentials: "same-origin",
                                 headers: {"HX-Request": "true"}})
        .then(function (response) {
          return response.text().then(function (html) { apply(pk, kind, response.status, html, sent); });
        })
        .catch(function () {
          keiretsuToast(keiretsuEnglish()
            ? "The server cannot be reached. Your last change was not saved."
            : "サーバーに接続できません。直前の変更は保存されていません。", true);
        })
        .then(function () {
          var current = document.getElementById("answer-" + pk);
          if (current) current.classList.remove("saving");
          document.dispatchEvent(new CustomEvent("keiretsu:saved", {detail: {item: pk, kind: kind}}));
        });
    }).finally(function () { inFlight -= 1; });
    return queues[pk];
  }

  function apply(pk, kind, status, html, sent) {
    if (status !== 200 && status !== 400 && status !== 409) {
      keiretsuToast(keiretsuEnglish()
        ? "Not saved (" + status + "). Reload the page and try again."
        : "保存できませんでした (" + status + ")。ページを再読み込みして、もう一度お試しください。");
      return;
    }
    var response = document.createElement("template");
    response.innerHTML = html;
    var board = response.content.getElementById("scoreboard");
    var oldBoard = document.getElementById("scoreboard");
    if (board && oldBoard) { board.removeAttribute("hx-swap-oob"); oldBoard.replaceWith(board); }
    var fresh = response.content.getElementById("answer-" + pk);
    var block = document.getElementById("answer-" + pk);
    if (!fresh || !block) return;
    var focused = block.contains(document.activeElement) ? document.activeElement : null;
    if (kind === "text" && status === 200) {
      // Keep the fields as they are (the person may be typing): only the notes change.
      block.querySelectorAll(".reason-needed, .saved, .error").forEach(function (note) { note.remove(); });
      fresh.querySelectorAll(".reason-needed, .saved").forEach(function (note) { block.appendChild(note); });
      return;
    }
    // Text typed while the request was away stays, and is saved in turn.
    block.querySelectorAll("textarea").forEach(function (area) {
      var replacement = fresh.querySelector("textarea[name='" + area.name + "']");
      if (replacement && area.value !== sent[area.name] && status === 200) {
        replacement.value = area.value;
        typed[pk] = true;
        schedule(pk);
      } else if (replacement && status !== 200) {
        replacement.value = area.value;
      }
    });
    var holder = document.createElement("div");
    holder.appendChild(fresh);
    enhance(holder);
    block.replaceWith(fresh);
    if (focused) {
      var target = focused.tagName === "TEXTAREA"
        ? fresh.querySelector("textarea[name='" + focused.name + "']")
        : fresh.querySelector("input[type=radio]:checked") || fresh.querySelector("input[type=radio]");
      if (target) target.focus();
    }
  }

  function schedule(pk) {
    clearTimeout(timers[pk]);
    timers[pk] = setTimeout(function () { flushText(pk); }, TYPING_PAUSE_MS);
  }

  function flushText(pk) {
    clearTimeout(timers[pk]);
    if (!typed[pk]) return;
    typed[pk] = false;
    save(pk, "text");
  }

  function isRating(element) { return element.matches && element.matches(".answer input[type=radio]"); }

  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:load", function (event) { enhance(event.detail.elt); });

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (!isRating(target)) return;
    if (event.key.indexOf("Arrow") === 0) {
      arrowing = true;  // the browser checks the next button and sends "change": not a choice yet
      setTimeout(function () { arrowing = false; }, 0);
    } else if (event.key === " " || event.key === "Enter") {
      event.preventDefault();
      if (target.disabled) return;
      target.checked = true;
      var pk = itemOf(target);
      delete unsavedRating[pk];
      save(pk, "rating");
    }
  });

  document.addEventListener("change", function (event) {
    var target = event.target, pk = itemOf(target);
    if (!pk) return;
    if (isRating(target)) {
      if (arrowing) { unsavedRating[pk] = true; return; }
      delete unsavedRating[pk];
      save(pk, "rating");
    } else if (target.tagName === "TEXTAREA") {
      flushText(pk);
    }
  });

  document.addEventListener("focusout", function (event) {
    var target = event.target, pk = itemOf(target);
    if (!pk || !isRating(target) || !unsavedRating[pk]) return;
    var next = event.relatedTarget;
    if (next && target.closest("fieldset").contains(next)) return;
    delete unsavedRating[pk];
    save(pk, "rating");  // leaving the group settles on the button last moved to
  });

  document.addEventListener("input", function (event) {
    var target = event.target, pk = itemOf(target);
    if (!pk || target.tagName !== "TEXTAREA") return;
    typed[pk] = true;
    schedule(pk);
  });

  window.addEventListener("beforeunload", function (event) {
    var waiting = inFlight > 0 || Object.keys(typed).some(function (pk) { return typed[pk]; });
    if (waiting) { event.preventDefault(); event.returnValue = ""; }
  });
})();

// Asking before what cannot be undone (lib/confirm.py): a form marked data-confirm is first
// sent as it is; the server answers with its question, shown in the page's dialog. Confirming
// there posts the same fields again, confirmed. Without JavaScript the question is a page.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var dialog = document.getElementById("confirm-dialog");
  if (!form.hasAttribute || !form.hasAttribute("data-confirm") || !dialog || !window.htmx || !dialog.showModal) return;
  event.preventDefault();
  htmx.ajax("POST", form.action, {source: form, target: dialog, swap: "innerHTML"}).then(function () {
    if (dialog.querySelector("form") && !dialog.open) dialog.showModal();
  });
});

// The server sent the question elsewhere (a sign-in again before publishing, for instance):
// go there rather than showing that page in the dialog.
document.addEventListener("htmx:beforeSwap", function (event) {
  var dialog = document.getElementById("confirm-dialog");
  var xhr = event.detail.xhr;
  if (!dialog || event.detail.target !== dialog || !xhr.responseURL) return;
  var asked = event.detail.requestConfig && event.detail.requestConfig.path;
  if (asked && new URL(xhr.responseURL).pathname !== new URL(asked, location.href).pathname) {
    event.detail.shouldSwap = false;
    window.location.href = xhr.responseURL;
  }
});

// The management report link (reports/_report_link.html): the PDF takes a few seconds to make,
// so the link turns busy (disabled, "making…") until the file is downloaded. Without this the
// link opens a page that says the report is being made, then the PDF.
document.addEventListener("click", function (event) {
  var link = event.target.closest && event.target.closest("a.report-link[data-report-pdf]");
  if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || !window.fetch) return;
  event.preventDefault();
  if (link.getAttribute("aria-disabled") === "true") return;
  var label = link.textContent, status = link.nextElementSibling;
  link.setAttribute("aria-disabled", "true");
  link.classList.add("is-busy");
  link.textContent = link.getAttribute("data-busy");
  if (status) status.textContent = link.textContent;
  function done() {
    link.removeAttribute("aria-disabled");
    link.classList.remove("is-busy");
    link.textContent = label;
  }
  fetch(link.getAttribute("data-report-pdf"), { credentials: "same-origin" }).then(function (response) {
    if (!response.ok) throw new Error(String(response.status));
    var header = response.headers.get("Content-Disposition") || "";
    var encoded = /filename\*=utf-8''([^;]+)/i.exec(header), plain = /filename="([^"]+)"/.exec(header);
    var name = encoded ? [null, decodeURIComponent(encoded[1])] : plain;
    return response.blob().then(function (blob) {
      var url = URL.createObjectURL(blob), a = document.createElement("a");
      a.href = url;
      a.download = name ? name[1] : "report.pdf";
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
      done();
      if (status) status.textContent = "";
    });
  }).catch(function () {
    done();
    window.location.href = link.href;  // the page without script: it says what happens
  });
});
