/* What assistive technology needs after an htmx swap (issue 13).
 *
 * A step swap answers with the header HX-Trigger-After-Settle: {"portal:page": {"title": …,
 * "announce": …}}: the document title becomes the new step's, focus moves to the new step's
 * heading (tabindex="-1") and the polite live region #announcer says "Step 3 of 8: Customer
 * admin". When the new content holds an error summary (role="alert"), focus goes to it instead.
 * An inline check may answer {"portal:announce": "…"}: said politely, focus stays where it was.
 * A form refused elsewhere (no summary) puts focus on its first invalid field.
 * Without JavaScript nothing here runs, and every page is whole on its own.
 */
(function () {
  "use strict";

  var pending = null;

  function announce(text) {
    var region = document.getElementById("announcer");
    if (!region || !text) {
      return;
    }
    // Empty first, then fill: the same words twice in a row (the same step again) are said again;
    // a newer announcement replaces one not yet made.
    window.clearTimeout(pending);
    region.textContent = "";
    pending = window.setTimeout(function () {
      region.textContent = text;
    }, 100);
  }

  function focusFirst(selectors) {
    for (var i = 0; i < selectors.length; i += 1) {
      var element = document.querySelector(selectors[i]);
      if (element) {
        element.focus();
        return element;
      }
    }
    return null;
  }

  document.addEventListener("portal:page", function (event) {
    var detail = event.detail || {};
    if (detail.title) {
      document.title = detail.title;
    }
    if (focusFirst(["main [data-error-summary]"])) {
      return; // the summary is an alert: it says itself
    }
    focusFirst(["main h1[tabindex='-1']"]);
    announce(detail.announce);
  });

  // A form sent through htmx that comes back refused, in a part of the page without an error
  // summary (an order's contact panel): focus goes to the first invalid field, which a screen
  // reader then reads with its error (aria-describedby). An inline check is not a form: skipped.
  document.addEventListener("htmx:afterSettle", function (event) {
    var config = event.detail && event.detail.requestConfig;
    var content = event.target;
    if (!config || !config.elt || config.elt.tagName !== "FORM" || !content.querySelector) {
      return;
    }
    if (content.querySelector("[data-error-summary]")) {
      return; // the portal:page event focuses the summary
    }
    var invalid = content.querySelector("[aria-invalid='true']");
    if (invalid) {
      var first = invalid.tagName === "FIELDSET" ? invalid.querySelector("input, select, textarea") : invalid;
      (first || invalid).focus();
    }
  });

  document.addEventListener("portal:announce", function (event) {
    announce(event.detail && event.detail.value);
  });

  // Back and Forward restore a page from htmx's history: its title comes with it; focus goes to
  // its heading as after any other page change.
  document.addEventListener("htmx:historyRestore", function () {
    var heading = focusFirst(["main h1[tabindex='-1']"]);
    if (heading) {
      announce(heading.textContent.trim());
    }
  });

  // A whole page that opens with errors (a form sent without htmx) takes focus to its summary.
  function onLoad() {
    focusFirst(["main [data-error-summary]"]);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", onLoad);
  } else {
    onLoad();
  }
})();
