/* Print buttons exist only where JavaScript runs (they start hidden); the browser's own
   print command works the same everywhere. */
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
