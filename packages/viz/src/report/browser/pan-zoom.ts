/**
 * The report's pan and zoom for inline SVG graphs, as browser code inlined into the page: the mouse
 * wheel zooms around the pointer, dragging pans, and the +, − and "fit" buttons of each graph do
 * the same from the keyboard. It works on the SVG's viewBox, so text stays sharp at any zoom.
 */

/** Browser code (plain ES2017, no template literals) run once the page has loaded. */
export const PAN_ZOOM_SCRIPT = String.raw`
(function () {
  'use strict';
  function setup(view) {
    var svg = view.querySelector('svg');
    if (!svg) return;
    var vb = svg.viewBox.baseVal;
    var home = { x: vb.x, y: vb.y, w: vb.width, h: vb.height };
    svg.removeAttribute('width');
    svg.removeAttribute('height');
    svg.setAttribute('preserveAspectRatio', 'xMidYMid meet');
    function set(x, y, w, h) { svg.setAttribute('viewBox', [x, y, w, h].join(' ')); }
    function toSvg(cx, cy) {
      var m = svg.getScreenCTM();
      if (!m) return { x: vb.x + vb.width / 2, y: vb.y + vb.height / 2 };
      var p = new DOMPoint(cx, cy).matrixTransform(m.inverse());
      return { x: p.x, y: p.y };
    }
    function zoom(factor, cx, cy) {
      var p = cx === undefined ? { x: vb.x + vb.width / 2, y: vb.y + vb.height / 2 } : toSvg(cx, cy);
      var w = Math.min(Math.max(vb.width * factor, home.w / 200), home.w * 20);
      var f = w / vb.width;
      set(p.x - (p.x - vb.x) * f, p.y - (p.y - vb.y) * f, vb.width * f, vb.height * f);
    }
    svg.addEventListener('wheel', function (e) {
      e.preventDefault();
      zoom(e.deltaY > 0 ? 1.15 : 1 / 1.15, e.clientX, e.clientY);
    }, { passive: false });
    var drag = null;
    svg.addEventListener('pointerdown', function (e) {
      drag = { start: toSvg(e.clientX, e.clientY) };
      svg.setPointerCapture(e.pointerId);
      view.classList.add('dragging');
    });
    svg.addEventListener('pointermove', function (e) {
      if (!drag) return;
      var p = toSvg(e.clientX, e.clientY);
      set(vb.x - (p.x - drag.start.x), vb.y - (p.y - drag.start.y), vb.width, vb.height);
    });
    function end() { drag = null; view.classList.remove('dragging'); }
    svg.addEventListener('pointerup', end);
    svg.addEventListener('pointercancel', end);
    var bar = view.parentElement.querySelector('.zoom-bar');
    if (bar) {
      var onShown = function (fn) { return function () { if (!view.hidden) fn(); }; };
      bar.querySelector('[data-zoom="in"]').addEventListener('click', onShown(function () { zoom(1 / 1.3); }));
      bar.querySelector('[data-zoom="out"]').addEventListener('click', onShown(function () { zoom(1.3); }));
      bar.querySelector('[data-zoom="fit"]').addEventListener('click', onShown(function () { set(home.x, home.y, home.w, home.h); }));
    }
  }
  document.querySelectorAll('.graph-view').forEach(setup);
  // Folded or every step: two drawings per card, one shown.
  document.querySelectorAll('[data-steps="toggle"]').forEach(function (button) {
    var card = button.closest('.graph-card');
    button.addEventListener('click', function () {
      var folded = card.querySelector('[data-variant="folded"]'), all = card.querySelector('[data-variant="all"]');
      var showAll = all.hidden;
      all.hidden = !showAll;
      folded.hidden = showAll;
      button.textContent = showAll ? 'fold steps' : 'show all steps';
    });
  });
})();
`;
