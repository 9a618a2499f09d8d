/**
 * Where to write a place's name on the plan: next to its shape (below, above, right, left — the
 * first spot that covers no other shape and no label already placed), so small places such as
 * bike sheds are named without hiding a building's name.
 */
export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

const GAP = 1;

const overlaps = (a: Box, b: Box): boolean =>
  a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

/** Width of a label in plan units: CJK glyphs are about one font size wide, Latin about half. */
export function labelWidth(text: string, fontSize: number): number {
  let w = 0;
  for (const ch of text) w += /[\u2E80-\uFFFF]/.test(ch) ? fontSize : fontSize * 0.6;
  return w;
}

/**
 * Places one label box per shape in `labelled` (same order), avoiding every shape in `obstacles`
 * and each other, within the plan `bounds`. Falls back to below the shape when nothing is free.
 */
export function placeLabels(
  labelled: Array<{ rect: Box; w: number; h: number }>,
  obstacles: Box[],
  bounds: Box,
): Box[] {
  const placed: Box[] = [];
  for (const { rect, w, h } of labelled) {
    const cx = rect.x + rect.w / 2;
    const cy = rect.y + rect.h / 2;
    const candidates: Box[] = [
      { x: cx - w / 2, y: rect.y + rect.h + GAP, w, h },
      { x: cx - w / 2, y: rect.y - GAP - h, w, h },
      { x: rect.x + rect.w + GAP, y: cy - h / 2, w, h },
      { x: rect.x - GAP - w, y: cy - h / 2, w, h },
    ];
    const inside = (b: Box): boolean =>
      b.x >= bounds.x &&
      b.y >= bounds.y &&
      b.x + b.w <= bounds.x + bounds.w &&
      b.y + b.h <= bounds.y + bounds.h;
    const free = candidates.find(
      (b) =>
        inside(b) &&
        !obstacles.some((o) => o !== rect && overlaps(b, o)) &&
        !placed.some((p) => overlaps(b, p)),
    );
    placed.push(free ?? candidates[0]!);
  }
  return placed;
}
