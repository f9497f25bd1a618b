import { describe, expect, it } from 'vitest';
import { chooseGrid, chooseStage } from '../src/app/layout';

const desktop = { width: 1256, height: 600 };
const phone = { width: 374, height: 690 };

describe('grid layout', () => {
  it('gives one tile the whole stage within the aspect limits', () => {
    const g = chooseGrid(1, desktop);
    expect([g.cols, g.rows]).toEqual([1, 1]);
    expect(g.tileHeight).toBe(600);
    expect(g.tileWidth).toBe(Math.floor(600 * 16 / 9));
  });

  it('puts two people side by side on a wide stage and stacked on a phone', () => {
    expect(chooseGrid(2, desktop)).toMatchObject({ cols: 2, rows: 1 });
    expect(chooseGrid(2, phone)).toMatchObject({ cols: 1, rows: 2 });
  });

  it('picks the grid with the largest tiles for 3 to 16 people on a wide stage', () => {
    const expected: Record<number, [number, number]> = { 3: [2, 2], 4: [2, 2], 5: [3, 2], 6: [3, 2], 9: [3, 3], 10: [4, 3], 16: [4, 4] };
    for (const [n, [cols, rows]] of Object.entries(expected)) {
      const g = chooseGrid(Number(n), desktop);
      expect([g.cols, g.rows], `${n} tiles`).toEqual([cols, rows]);
    }
  });

  it('uses one column for up to three people on a phone, then two', () => {
    expect(chooseGrid(3, phone)).toMatchObject({ cols: 1, rows: 3 });
    expect(chooseGrid(4, phone)).toMatchObject({ cols: 2, rows: 2 });
    expect(chooseGrid(6, phone)).toMatchObject({ cols: 2, rows: 3 });
  });

  it('keeps every grid inside the stage and the tile aspect within limits', () => {
    for (const stage of [desktop, phone, { width: 800, height: 800 }, { width: 1920, height: 400 }]) {
      const portrait = stage.height > stage.width;
      for (let n = 1; n <= 25; n++) {
        const g = chooseGrid(n, stage, { gap: 8 });
        expect(g.cols * g.rows).toBeGreaterThanOrEqual(n);
        expect(g.cols * (g.rows - 1), 'no empty last row').toBeLessThan(n);
        expect(g.cols * g.tileWidth + (g.cols - 1) * 8).toBeLessThanOrEqual(stage.width);
        expect(g.rows * g.tileHeight + (g.rows - 1) * 8).toBeLessThanOrEqual(stage.height);
        const aspect = g.tileWidth / g.tileHeight;
        expect(aspect).toBeLessThanOrEqual(16 / 9 + 0.02);
        expect(aspect).toBeGreaterThanOrEqual((portrait ? 9 / 16 : 4 / 3) - 0.02);
      }
    }
  });

  it('copes with an empty or zero-sized stage', () => {
    expect(chooseGrid(0, desktop)).toMatchObject({ cols: 1, rows: 1 });
    expect(chooseGrid(3, { width: 0, height: 0 })).toMatchObject({ tileWidth: 0, tileHeight: 0 });
  });
});

describe('stage with a screen share', () => {
  it('is a plain grid without one', () => {
    expect(chooseStage(3, false, desktop).mode).toBe('grid');
  });

  it('shows the screen large with a strip on the right on a wide stage', () => {
    const s = chooseStage(3, true, desktop);
    expect(s.mode).toBe('spotlight');
    if (s.mode !== 'spotlight') return;
    expect(s.strip).toBe('right');
    expect(s.main.width).toBeGreaterThan(desktop.width * 0.7);
    expect(s.main.width + s.stripSize.width).toBeLessThanOrEqual(desktop.width);
    expect(s.grid.tileWidth).toBe(s.stripSize.width);
  });

  it('puts the screen across the top of a phone with the tiles in a grid under it', () => {
    const s = chooseStage(3, true, phone);
    expect(s.mode).toBe('spotlight');
    if (s.mode !== 'spotlight') return;
    expect(s.strip).toBe('bottom');
    expect(s.main).toEqual({ width: phone.width, height: Math.round(phone.width * 9 / 16) });
    expect(s.main.height + 8 + s.stripSize.height).toBe(phone.height);
    const g = s.grid;
    expect(g.cols * g.tileWidth + (g.cols - 1) * 8).toBeLessThanOrEqual(phone.width);
    expect(g.rows * g.tileHeight + (g.rows - 1) * 8).toBeLessThanOrEqual(s.stripSize.height);
  });
});
