// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  var body = document.body;
  var dirty = new Set();

  function flash(text, kind) {
    var box = document.getElementById("flash");
    if (!box) return;
    var p = document.createElement("p");
    p.className = "notice notice-" + (kind || "error");
    p.textContent = text;
    box.replaceChildren(p);
  }

  // Warn before leaving a form with unsaved typing: closing the page, following a link, or
  // its Cancel button. A form is unsaved from the first keystroke until a save succeeds; one
  // sent back with errors (or a conflict) holds the user's text and is unsaved again.
  var sending = new Set();
  function forget() {
    dirty.forEach(function (form) { if (!document.contains(form)) dirty.delete(form); });
  }
  function guardFormsWithErrors(root) {
    var forms = root.matches && root.matches("form[data-dirty-guard]") ? [root] : [];
    if (root.querySelectorAll) forms = forms.concat(Array.from(root.querySelectorAll("form[data-dirty-guard]")));
    forms.forEach(function (form) {
      if (form.querySelector(".form-errors, [aria-invalid=true]")) dirty.add(form);
    });
  }
  guardFormsWithErrors(document);
  document.addEventListener("input", function (event) {
    var form = event.target.closest && event.target.closest("form[data-dirty-guard]");
    if (form) dirty.add(form);
  });
  // A form that undoes something (removing a member, leaving a canvas) asks first.
  document.addEventListener("submit", function (event) {
    var question = event.target.dataset && event.target.dataset.confirm;
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
  document.addEventListener("submit", function (event) { sending.add(event.target); });
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (!sending.has(form)) return;
    sending.delete(form);
    if (event.detail.successful) dirty.delete(form);  // else it stays unsaved
  });
  window.addEventListener("beforeunload", function (event) {
    forget();
    var unsaved = Array.from(dirty).some(function (form) { return !sending.has(form); });
    if (unsaved) { event.preventDefault(); event.returnValue = ""; }
  });
  document.addEventListener("htmx:confirm", function (event) {
    var link = event.detail.elt;
    var form = link.closest && link.matches(".form-actions a[hx-get]") && link.closest("form");
    if (!form || !dirty.has(form)) return;
    event.preventDefault();
    if (window.confirm(body.dataset.msgUnsaved)) {
      dirty.delete(form);
      event.detail.issueRequest(true);
    }
  });

  // Say which of the block's numbers the page shows (each names what it shows, data-shown):
  // a save's answer leaves out those that stay as they are.
  document.addEventListener("htmx:configRequest", function (event) {
    var shown = Array.from(document.querySelectorAll("[data-shown]"), function (piece) {
      return piece.dataset.shown;
    });
    if (shown.length) event.detail.headers["X-Shown"] = shown.join(" ");
  });

  // The language menu sends itself.
  document.addEventListener("change", function (event) {
    if (event.target.matches("select[data-autosubmit]")) event.target.form.submit();
  });

  // A failed request always says so, and the form with the user's text stays on the page.
  // A poll in the background (the live view, the PDF notice) leaves the message of a failed
  // save in place: only what the user does next clears it.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    if (elt.matches && elt.matches("[hx-trigger^='every']")) return;
    var box = document.getElementById("flash");
    if (box) box.replaceChildren();
  });
  // The PDF is ready: the notice's poll answers with HX-Redirect to it. The notice leaves
  // htmx's hands (an inert copy in its place) before the browser goes, so that a slow download
  // cannot let the next poll open the PDF a second time.
  document.addEventListener("htmx:beforeOnLoad", function (event) {
    var notice = event.detail.elt;
    if (notice.id === "pdf-progress" && event.detail.xhr.getResponseHeader("HX-Redirect")) {
      notice.replaceWith(notice.cloneNode(true));
    }
  });
  document.addEventListener("htmx:sendError", function () { flash(body.dataset.msgNetwork); });
  document.addEventListener("htmx:timeout", function () { flash(body.dataset.msgNetwork); });
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    flash(status === 404 ? body.dataset.msgMissing : body.dataset.msgServer);
    // The canvas is gone, or no longer shared with this user: its live view stops asking
    // (htmx stops polling an element that has left the page).
    if (status === 404 && event.detail.elt.id === "live-poll") event.detail.elt.remove();
  });
  document.addEventListener("htmx:afterSwap", forget);  // a form saved or cancelled is gone

  // Put keyboard users into a freshly opened form, at the first field with an error.
  document.addEventListener("htmx:load", function (event) {
    var elt = event.detail.elt;
    guardFormsWithErrors(elt);
    if (!elt.matches || !elt.matches("form.edit-form")) return;
    // One selector would give the first of them in the page: ask for an error first.
    var field = elt.querySelector("input[aria-invalid=true], textarea[aria-invalid=true], select[aria-invalid=true], fieldset[aria-invalid=true] input")
      || elt.querySelector("input:not([type=hidden]), textarea, select");
    if (field) field.focus();
  });
  // Live changes (teams.live): another member's fresh cards and segment headers arrive in
  // #live-cards; each takes the place of its own, but never of an edit form open on it (a
  // form has the id of what it edits, but is neither an article nor a header).
  function placeLiveCards(box) {
    if (!box.children.length) return;
    Array.from(box.children).forEach(function (card) {
      var id = card.id && CSS.escape(card.id);
      var here = id && document.querySelector("#board article#" + id + ", #board header#" + id);
      if (here) {
        card.classList.add("just-changed");
        here.replaceWith(card);
        htmx.process(card);
      }
    });
    box.replaceChildren();
  }
  // Not htmx:afterSettle: the poller and the box are swapped whole, so that event fires on
  // elements already out of the page; htmx:load fires on the new ones.
  document.addEventListener("htmx:load", function (event) {
    if (event.detail.elt.id === "live-cards") placeLiveCards(event.detail.elt);
  });
  document.addEventListener("click", function (event) {
    if (!event.target.closest("[data-dismiss-live]")) return;
    var notes = document.getElementById("live-notes");
    if (notes) notes.replaceChildren();
  });
  // Escape hides the tooltip of the figure name that has the focus (WCAG 1.4.13), until the
  // focus moves on.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && document.activeElement.matches(".explained")) body.classList.add("tips-dismissed");
  });
  document.addEventListener("focusin", function () { body.classList.remove("tips-dismissed"); });
  // Comment bank: one click puts a saved remark into the comment box used last.
  var lastCommentBox = null;
  document.addEventListener("focusin", function (event) {
    if (event.target.matches("textarea[data-comment-target]")) lastCommentBox = event.target;
  });
  document.querySelectorAll("[data-insert-comment]").forEach(function (button) {
    button.hidden = false;
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-insert-comment]");
    if (!button) return;
    var box = lastCommentBox && document.contains(lastCommentBox)
      ? lastCommentBox
      : document.querySelector("#comments-canvas textarea[data-comment-target]");
    if (!box) return;
    var details = box.closest("details");
    if (details) details.open = true;
    box.value = box.value ? box.value.replace(/\s*$/, "") + "\n" + button.dataset.insertComment : button.dataset.insertComment;
    box.dispatchEvent(new Event("input", { bubbles: true }));
    box.focus();
  });
  // A move button keeps the keyboard's focus: after the swap, the same arrow (or, at the end of
  // the row where it is now disabled, its partner) has it again, not the top of the page.
  var movedFrom = null;
  document.addEventListener("htmx:beforeRequest", function (event) {
    var active = document.activeElement;
    movedFrom = active && active.matches("button.icon-button[id]") ? active.id : null;
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (!movedFrom) return;
    var same = document.getElementById(movedFrom);
    var partner = document.getElementById(movedFrom.replace(/-(up|down|left|right)$/, function (_m, way) {
      return "-" + { up: "down", down: "up", left: "right", right: "left" }[way];
    }));
    var target = same && !same.disabled ? same : partner;
    if (target && !target.disabled) target.focus();
    movedFrom = null;
  });
  // The site menu is open on a wide screen and folds into its button on a phone.
  var wide = window.matchMedia("(min-width: 769px)");
  function foldMenus() {
    document.querySelectorAll("details[data-wide-open]").forEach(function (menu) {
      menu.open = wide.matches;
    });
  }
  foldMenus();
  wide.addEventListener("change", foldMenus);
  // Printing shows what closed <details> hold (costs, what is missing), then closes them again.
  var openedForPrint = [];
  window.addEventListener("beforeprint", function () {
    openedForPrint = Array.prototype.filter.call(document.querySelectorAll("details:not([open])"), function (details) {
      details.open = true;
      return true;
    });
  });
  window.addEventListener("afterprint", function () {
    openedForPrint.forEach(function (details) { details.open = false; });
    openedForPrint = [];
  });
})();
