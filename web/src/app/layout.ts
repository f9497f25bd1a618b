// How the call's tiles fill the stage: a grid sized to give every tile the
// largest area, or, while someone shares a screen, the screen large with the
// other tiles in a strip beside it (wide stage) or under it (tall stage).

export interface Size { width: number; height: number }

export interface GridChoice {
  cols: number;
  rows: number;
  tileWidth: number;
  tileHeight: number;
}

export interface GridOptions {
  gap?: number;
  /** Tile aspect ratios (width / height) allowed; tiles fill their cell within these. */
  minAspect?: number;
  maxAspect?: number;
}

/**
 * Columns and rows for `count` tiles in a `width` × `height` stage. Landscape
 * stages keep tiles between 4:3 and 16:9; portrait ones (phones) also allow
 * upright tiles down to 9:16.
 */
export function chooseGrid(count: number, { width, height }: Size, options: GridOptions = {}): GridChoice {
  const gap = options.gap ?? 8;
  const portrait = height > width;
  const minAspect = options.minAspect ?? (portrait ? 9 / 16 : 4 / 3);
  const maxAspect = options.maxAspect ?? 16 / 9;
  const n = Math.max(1, Math.floor(count));
  const w = Math.max(0, width);
  const h = Math.max(0, height);
  let best: GridChoice = { cols: 1, rows: n, tileWidth: 0, tileHeight: 0 };
  let bestArea = -1;
  for (let cols = 1; cols <= n; cols++) {
    const rows = Math.ceil(n / cols);
    // A column count that leaves a whole row empty is never better than one fewer.
    if (cols > 1 && Math.ceil(n / (cols - 1)) === rows) continue;
    const cellW = Math.max(0, (w - gap * (cols - 1)) / cols);
    const cellH = Math.max(0, (h - gap * (rows - 1)) / rows);
    let tileW = cellW;
    let tileH = cellH;
    if (tileH > 0 && tileW / tileH > maxAspect) tileW = tileH * maxAspect;
    if (tileH > 0 && tileW / tileH < minAspect) tileH = tileW / minAspect;
    const area = tileW * tileH;
    // Ties go to fewer columns (bigger rows read more naturally on a phone).
    if (area > bestArea + 0.5) {
      bestArea = area;
      best = { cols, rows, tileWidth: Math.floor(tileW), tileHeight: Math.floor(tileH) };
    }
  }
  return best;
}

export type StageLayout =
  | { mode: 'grid'; grid: GridChoice }
  | { mode: 'spotlight'; strip: 'right' | 'bottom'; main: Size; stripSize: Size; grid: GridChoice };

/**
 * The stage for `tiles` participant tiles, plus one screen share when
 * `screenShare`: the screen takes the main area; the participant tiles form a
 * column beside it that scrolls when it overflows (wide stage), or a grid
 * under it (tall stage).
 */
export function chooseStage(tiles: number, screenShare: boolean, stage: Size, gap = 8): StageLayout {
  if (!screenShare) return { mode: 'grid', grid: chooseGrid(tiles, stage, { gap }) };
  const wide = stage.width >= stage.height * 1.1 && stage.width >= 640;
  if (wide) {
    const stripWidth = Math.round(Math.min(280, Math.max(160, stage.width * 0.2)));
    const tileH = Math.round(stripWidth * 9 / 16);
    return {
      mode: 'spotlight', strip: 'right',
      main: { width: stage.width - stripWidth - gap, height: stage.height },
      stripSize: { width: stripWidth, height: stage.height },
      grid: { cols: 1, rows: Math.max(1, tiles), tileWidth: stripWidth, tileHeight: tileH },
    };
  }
  // Tall stage (a phone): the screen across the top at its likely 16:9, the
  // participant tiles in a grid under it.
  const mainHeight = Math.round(Math.min(stage.width * 9 / 16, stage.height * 0.55));
  const rest = { width: stage.width, height: Math.max(0, stage.height - mainHeight - gap) };
  return {
    mode: 'spotlight', strip: 'bottom',
    main: { width: stage.width, height: mainHeight },
    stripSize: rest,
    grid: chooseGrid(tiles, rest, { gap }),
  };
}
