// Bulwark review console: keyboard shortcuts. Progressive enhancement only: every page works
// without this script (forms post normally; the blur is a CSS checkbox).
(function () {
  'use strict';
  function typing(el) {
    return el && (el.tagName === 'TEXTAREA' || (el.tagName === 'INPUT' &&
      (el.type === 'text' || el.type === 'password')));
  }
  document.addEventListener('keydown', function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || typing(document.activeElement)) return;
    if (e.key === 'v') {
      var reveal = document.getElementById('reveal');
      if (reveal) { reveal.checked = !reveal.checked; e.preventDefault(); }
      return;
    }
    var form = document.querySelector('form.decision-form');
    if (!form) return;
    if (e.key === 'Enter') {
      if (form.reportValidity()) form.requestSubmit();
      e.preventDefault();
      return;
    }
    var input = form.querySelector('input[data-key="' + CSS.escape(e.key) + '"]');
    if (input) {
      input.checked = true;
      input.focus();
      e.preventDefault();
    }
  });
})();
