/**
 * Zoom and pan for the graph's SVG, on its viewBox (text stays sharp at any zoom): the mouse wheel
 * zooms around the pointer, dragging pans, and buttons zoom in, out and back to the whole graph.
 */

/** Zoom bounds relative to the whole graph. */
const MIN_WIDTH = 1 / 100;
const MAX_WIDTH = 20;

/** Controls returned for the page's buttons. */
export interface PanZoom {
  zoom(factor: number): void;
  fit(): void;
}

/** Make `svg` zoomable and draggable. */
export function panZoom(svg: SVGSVGElement): PanZoom {
  const vb = svg.viewBox.baseVal;
  const home = { x: vb.x, y: vb.y, w: vb.width, h: vb.height };
  svg.removeAttribute('width');
  svg.removeAttribute('height');
  svg.setAttribute('preserveAspectRatio', 'xMidYMid meet');
  const set = (x: number, y: number, w: number, h: number) => svg.setAttribute('viewBox', `${x} ${y} ${w} ${h}`);
  const toSvg = (cx: number, cy: number) => {
    const m = svg.getScreenCTM();
    if (!m) return { x: vb.x + vb.width / 2, y: vb.y + vb.height / 2 };
    const p = new DOMPoint(cx, cy).matrixTransform(m.inverse());
    return { x: p.x, y: p.y };
  };
  const zoom = (factor: number, cx?: number, cy?: number) => {
    const p = cx === undefined || cy === undefined ? { x: vb.x + vb.width / 2, y: vb.y + vb.height / 2 } : toSvg(cx, cy);
    const w = Math.min(Math.max(vb.width * factor, home.w * MIN_WIDTH), home.w * MAX_WIDTH);
    const f = w / vb.width;
    set(p.x - (p.x - vb.x) * f, p.y - (p.y - vb.y) * f, vb.width * f, vb.height * f);
  };
  svg.addEventListener(
    'wheel',
    (e) => {
      e.preventDefault();
      zoom(e.deltaY > 0 ? 1.15 : 1 / 1.15, e.clientX, e.clientY);
    },
    { passive: false },
  );
  let start: { x: number; y: number } | undefined;
  svg.addEventListener('pointerdown', (e) => {
    start = toSvg(e.clientX, e.clientY);
    svg.setPointerCapture(e.pointerId);
    svg.classList.add('dragging');
  });
  svg.addEventListener('pointermove', (e) => {
    if (!start) return;
    const p = toSvg(e.clientX, e.clientY);
    set(vb.x - (p.x - start.x), vb.y - (p.y - start.y), vb.width, vb.height);
  });
  const end = () => {
    start = undefined;
    svg.classList.remove('dragging');
  };
  svg.addEventListener('pointerup', end);
  svg.addEventListener('pointercancel', end);
  return { zoom: (f) => zoom(f), fit: () => set(home.x, home.y, home.w, home.h) };
}
