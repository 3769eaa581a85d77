/**
 * The wasm kernel of a CNN's plane form (recorder/plane-cnn.ts), in WebAssembly text with 128-bit
 * SIMD, compiled once per process by wabt, and the walker threads that run it. A slice's arrays
 * live in its own shared memory, the walk state (Z, win, slack) once per lane (PlaneKernel):
 * - APQ: conv 1's pre-activation at the plane point (s, t) is A + s·P + t·Q; per group of 4
 *   channels, 48 bytes: 4 of A, 4 of P, 4 of Q; [h1 × h1 × c1/4] groups;
 * - W2: conv 2's kernel [k2 × k2 × c1 × c2];
 * - win: the pool-1 pattern of the last point walked: for each pool-1 unit [p1 × p1 × c1] the byte
 *   offset in APQ of the A value of the conv-1 value that wins its max-pool, or −1 where that value
 *   is not positive (the unit is 0);
 * - slack: per group of 4 pool-1 units, 16 bytes: the point (s0, t0) where its pattern was last
 *   computed and the rates σ, θ such that it cannot change while σ·|s − s0| + θ·|t − t0| < 1;
 * - Z: conv 2's pre-activation for that pattern in plane form, G + s·Gs + t·Gt (conv 2's bias in
 *   G); per group of 4 channels, 48 bytes: G, Gs, Gt; [h2 × h2 × c2/4] groups.
 *
 * `run(coords, n, out)` walks n plane points [n × 2] in order. At each it recomputes the pool-1
 * pattern of the groups that may have changed and, for every unit whose winner changed since the
 * previous point, adds W2 times the change of the unit's plane form into Z (3 × k2² × c2
 * multiply-adds a unit; all active units at the first point, conv 2's whole cost), then writes
 * pool 2's output [p2 × p2 × c2], ReLU applied, to out. Neighbouring pixels differ in a few dozen
 * of the thousands of pool-1 units, so a walk through neighbours costs a fraction of evaluating
 * each image.
 *
 * Sizes are set through the exported globals before each walk (KernelLayout): c1 and c2 channels
 * (multiples of 4), h1 conv 1's output side, p1 = ⌊h1/2⌋, k2 conv 2's kernel side,
 * h2 = p1 − k2 + 1, p2 = ⌊h2/2⌋, and the byte offsets APQ, W2, Z, win, slack and the lane's
 * scratch. Channels last, as TensorFlow.js.
 */
/** One 4-channel group's plane value at byte `at`: A + s·P + t·Q (or G + s·Gs + t·Gt). */
const value = (at: string) => `
  (f32x4.add
    (f32x4.add (v128.load ${at}) (f32x4.mul (local.get $vs) (v128.load offset=16 ${at})))
    (f32x4.mul (local.get $vt) (v128.load offset=32 ${at})))`;

/** Loads window k's P and Q (at byte delta `delta` from the group's first window) and its value. */
const windowValue = (k: number, delta: string) => `
  (local.set $P${k} (v128.load offset=16 (i32.add (local.get $p) ${delta})))
  (local.set $Q${k} (v128.load offset=32 (i32.add (local.get $p) ${delta})))
  (local.set $v${k} (f32x4.add
    (f32x4.add (v128.load (i32.add (local.get $p) ${delta})) (f32x4.mul (local.get $vs) (local.get $P${k})))
    (f32x4.mul (local.get $vt) (local.get $Q${k}))))`;

/**
 * Loops over the 2 × 2 max-pool windows of a plane-form map (channels last, 48 bytes a group of 4
 * channels): for each window ($y, $x) below `pooled`, $p walks the groups of the window's top-left
 * value, $d1 and $d2 being the bytes to the value right of it and below it. `start` runs before a
 * window's groups, `group` for each group ($p advances by itself), `end` after them.
 */
const overWindows = (
  map: string,
  channels: string,
  side: string,
  pooled: string,
  parts: { start?: string; group: string; end?: string },
) => `
    (local.set $d1 (i32.mul ${channels} (i32.const 12)))
    (local.set $d2 (i32.mul (local.get $d1) ${side}))
    (block $rows_done (loop $rows
      (br_if $rows_done (i32.ge_u (local.get $y) ${pooled}))
      (local.set $x (i32.const 0))
      (block $cols_done (loop $cols
        (br_if $cols_done (i32.ge_u (local.get $x) ${pooled}))
        (local.set $p (i32.add ${map} (i32.add
          (i32.mul (i32.shl (local.get $y) (i32.const 1)) (local.get $d2))
          (i32.mul (i32.shl (local.get $x) (i32.const 1)) (local.get $d1)))))
        (local.set $end (i32.add (local.get $p) (local.get $d1)))
        ${parts.start ?? ''}
        (block $groups_done (loop $groups
          (br_if $groups_done (i32.ge_u (local.get $p) (local.get $end)))
          ${parts.group}
          (local.set $p (i32.add (local.get $p) (i32.const 48)))
          (br $groups)))
        ${parts.end ?? ''}
        (local.set $x (i32.add (local.get $x) (i32.const 1)))
        (br $cols)))
      (local.set $y (i32.add (local.get $y) (i32.const 1)))
      (br $rows)))`;

/** Takes window k (1–3) into the winner: its value, P, Q and byte offset in APQ. */
/** Conv 2's 4-channel groups that the apply loop takes at once, in registers. */
const APPLY_GROUPS = 2;
const applyLanes = Array.from({ length: APPLY_GROUPS }, (_, g) => g);

/**
 * Adds the product of W2 row group `g` (16 bytes a group from $w) with the change in $da, $dp and
 * $dq into group g's accumulators.
 */
const accumulate = (g: number) => `
  (local.set $wv (v128.load offset=${16 * g} (local.get $w)))
  (local.set $a${g} (f32x4.add (local.get $a${g}) (f32x4.mul (local.get $wv) (local.get $da))))
  (local.set $b${g} (f32x4.add (local.get $b${g}) (f32x4.mul (local.get $wv) (local.get $dp))))
  (local.set $t${g} (f32x4.add (local.get $t${g}) (f32x4.mul (local.get $wv) (local.get $dq))))`;

const contend = (k: number, delta: string) => `
  ${windowValue(k, delta)}
  (local.set $m (f32x4.gt (local.get $v${k}) (local.get $best)))
  (local.set $best (v128.bitselect (local.get $v${k}) (local.get $best) (local.get $m)))
  (local.set $Pw (v128.bitselect (local.get $P${k}) (local.get $Pw) (local.get $m)))
  (local.set $Qw (v128.bitselect (local.get $Q${k}) (local.get $Qw) (local.get $m)))
  (local.set $idx (v128.bitselect
    (i32x4.add (local.get $base) (i32x4.splat ${delta})) (local.get $idx) (local.get $m)))`;

/**
 * Folds into $sigma and $theta how fast, against its gap, value x, P, Q may approach the reference
 * R, PR, QR along s and along t: |PR − P| / (R − x) and |QR − Q| / (R − x). While
 * σ·|Δs| + θ·|Δt| < 1 no gap of the group closes, since each changes by at most
 * |ΔP|·|Δs| + |ΔQ|·|Δt|. 0/0 (a window against itself, or two windows that never part) is NaN,
 * which pmax with the running value first ignores.
 */
const bound = (x: string, P: string, Q: string) => `
  (local.set $r (f32x4.div (v128.const f32x4 1 1 1 1) (f32x4.sub (local.get $R) ${x})))
  (local.set $sigma (f32x4.pmax (local.get $sigma) (f32x4.mul (f32x4.abs (f32x4.sub (local.get $PR) ${P})) (local.get $r))))
  (local.set $theta (f32x4.pmax (local.get $theta) (f32x4.mul (f32x4.abs (f32x4.sub (local.get $QR) ${Q})) (local.get $r))))`;

/** The largest of a vector's four lanes, in all four. */
const largest = (v: string) => `
  (local.set ${v} (f32x4.pmax (local.get ${v}) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get ${v}) (local.get ${v}))))
  (local.set ${v} (f32x4.pmax (local.get ${v}) (i8x16.shuffle 4 5 6 7 0 1 2 3 12 13 14 15 8 9 10 11 (local.get ${v}) (local.get ${v}))))`;

/** Scatters lane `lane` of a group whose pattern changed. */
const lane = (lane: number) => `
  (if (i32.ne (i32x4.extract_lane ${lane} (local.get $old)) (i32x4.extract_lane ${lane} (local.get $new)))
    (then (call $record (i32.add (local.get $c) (i32.const ${lane}))
      (i32x4.extract_lane ${lane} (local.get $old)) (i32x4.extract_lane ${lane} (local.get $new)))))`;

/** A kernel memory's most pages, 1 GiB: a walk's output is 6.4 KB a pixel for the MNIST CNN. */
const MAX_PAGES = 16384;

export const PLANE_KERNEL_WAT = String.raw`
(module
  (import "env" "memory" (memory 1 ${MAX_PAGES} shared))
  (global $c1 (export "c1") (mut i32) (i32.const 0))
  (global $h1 (export "h1") (mut i32) (i32.const 0))
  (global $p1 (export "p1") (mut i32) (i32.const 0))
  (global $c2 (export "c2") (mut i32) (i32.const 0))
  (global $k2 (export "k2") (mut i32) (i32.const 0))
  (global $h2 (export "h2") (mut i32) (i32.const 0))
  (global $p2 (export "p2") (mut i32) (i32.const 0))
  (global $APQ (export "APQ") (mut i32) (i32.const 0))
  (global $W2 (export "W2") (mut i32) (i32.const 0))
  (global $Z (export "Z") (mut i32) (i32.const 0))
  (global $win (export "win") (mut i32) (i32.const 0))
  (global $slack (export "slack") (mut i32) (i32.const 0))
  (global $changes (export "changes") (mut i32) (i32.const 0))
  (global $counts (export "counts") (mut i32) (i32.const 0))
  (global $starts (export "starts") (mut i32) (i32.const 0))
  (global $pairs (export "pairs") (mut i32) (i32.const 0))
  ;; Changes recorded at the current point.
  (global $pending (mut i32) (i32.const 0))

  ;; Channel c of the current pool-1 position went from winner o to winner n (byte offsets in
  ;; APQ, −1 for 0): records the change of its plane form, dA, dP and dQ, each in all four lanes.
  (func $record (param $c i32) (param $o i32) (param $n i32)
    (local $entry i32) (local $da f32) (local $dp f32) (local $dq f32)
    (if (i32.ge_s (local.get $n) (i32.const 0)) (then
      (local.set $da (f32.load (i32.add (global.get $APQ) (local.get $n))))
      (local.set $dp (f32.load offset=16 (i32.add (global.get $APQ) (local.get $n))))
      (local.set $dq (f32.load offset=32 (i32.add (global.get $APQ) (local.get $n))))))
    (if (i32.ge_s (local.get $o) (i32.const 0)) (then
      (local.set $da (f32.sub (local.get $da) (f32.load (i32.add (global.get $APQ) (local.get $o)))))
      (local.set $dp (f32.sub (local.get $dp) (f32.load offset=16 (i32.add (global.get $APQ) (local.get $o)))))
      (local.set $dq (f32.sub (local.get $dq) (f32.load offset=32 (i32.add (global.get $APQ) (local.get $o)))))))
    (local.set $entry (i32.add (global.get $changes) (i32.shl (global.get $pending) (i32.const 6))))
    (i32.store (local.get $entry) (local.get $c))
    (v128.store offset=16 (local.get $entry) (f32x4.splat (local.get $da)))
    (v128.store offset=32 (local.get $entry) (f32x4.splat (local.get $dp)))
    (v128.store offset=48 (local.get $entry) (f32x4.splat (local.get $dq)))
    (global.set $pending (i32.add (global.get $pending) (i32.const 1))))

  ;; Adds W2 times the recorded changes into Z, position by position of conv 2: the changes in a
  ;; position's k2 × k2 window of pool 1 are listed (W2's row, the change), then each pair of
  ;; 4-channel groups of Z is loaded once, takes every listed change, and is stored once.
  (func $apply
    (local $zy i32) (local $zx i32) (local $dy i32) (local $dx i32) (local $pos i32) (local $i i32)
    (local $end i32) (local $entry i32) (local $pair i32) (local $last i32) (local $og i32)
    (local $z i32) (local $w i32)
    (local $wv v128) (local $da v128) (local $dp v128) (local $dq v128)
    ${applyLanes.map((g) => `(local $a${g} v128) (local $b${g} v128) (local $t${g} v128)`).join(' ')}
    (if (i32.eqz (global.get $pending)) (then (return)))
    (block $rows_done (loop $rows
      (br_if $rows_done (i32.ge_u (local.get $zy) (global.get $h2)))
      (local.set $zx (i32.const 0))
      (block $cols_done (loop $cols
        (br_if $cols_done (i32.ge_u (local.get $zx) (global.get $h2)))
        ;; The changes in this position's window, as (byte offset of W2's row, entry) pairs.
        (local.set $last (global.get $pairs))
        (local.set $dy (i32.const 0))
        (block $dy_done (loop $dys
          (br_if $dy_done (i32.ge_u (local.get $dy) (global.get $k2)))
          (local.set $dx (i32.const 0))
          (block $dx_done (loop $dxs
            (br_if $dx_done (i32.ge_u (local.get $dx) (global.get $k2)))
            (local.set $pos (i32.shl
              (i32.add (i32.mul (i32.add (local.get $zy) (local.get $dy)) (global.get $p1)) (i32.add (local.get $zx) (local.get $dx)))
              (i32.const 2)))
            (local.set $i (i32.load (i32.add (global.get $starts) (local.get $pos))))
            (local.set $end (i32.add (local.get $i) (i32.load (i32.add (global.get $counts) (local.get $pos)))))
            (block $entries_done (loop $entries
              (br_if $entries_done (i32.ge_u (local.get $i) (local.get $end)))
              (local.set $entry (i32.add (global.get $changes) (i32.shl (local.get $i) (i32.const 6))))
              (i32.store (local.get $last) (i32.add (global.get $W2) (i32.shl
                (i32.mul
                  (i32.add (i32.mul (i32.add (i32.mul (local.get $dy) (global.get $k2)) (local.get $dx)) (global.get $c1))
                           (i32.load (local.get $entry)))
                  (global.get $c2))
                (i32.const 2))))
              (i32.store offset=4 (local.get $last) (local.get $entry))
              (local.set $last (i32.add (local.get $last) (i32.const 8)))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br $entries)))
            (local.set $dx (i32.add (local.get $dx) (i32.const 1)))
            (br $dxs)))
          (local.set $dy (i32.add (local.get $dy) (i32.const 1)))
          (br $dys)))
        (if (i32.ne (local.get $last) (global.get $pairs)) (then
          (local.set $z (i32.add (global.get $Z)
            (i32.mul (i32.mul (i32.add (i32.mul (local.get $zy) (global.get $h2)) (local.get $zx)) (global.get $c2)) (i32.const 12))))
          ;; og: byte offset of the APPLY_GROUPS groups in a W2 row (16 bytes a group).
          (local.set $og (i32.const 0))
          (block $groups_done (loop $groups
            (br_if $groups_done (i32.ge_u (local.get $og) (i32.shl (global.get $c2) (i32.const 2))))
            ${applyLanes
              .map(
                (g) => `(local.set $a${g} (v128.load offset=${48 * g} (local.get $z)))
            (local.set $b${g} (v128.load offset=${48 * g + 16} (local.get $z)))
            (local.set $t${g} (v128.load offset=${48 * g + 32} (local.get $z)))`,
              )
              .join('\n            ')}
            (local.set $pair (global.get $pairs))
            (block $pairs_done (loop $each
              (br_if $pairs_done (i32.ge_u (local.get $pair) (local.get $last)))
              (local.set $w (i32.add (i32.load (local.get $pair)) (local.get $og)))
              (local.set $entry (i32.load offset=4 (local.get $pair)))
              (local.set $da (v128.load offset=16 (local.get $entry)))
              (local.set $dp (v128.load offset=32 (local.get $entry)))
              (local.set $dq (v128.load offset=48 (local.get $entry)))
              ${applyLanes.map(accumulate).join('')}
              (local.set $pair (i32.add (local.get $pair) (i32.const 8)))
              (br $each)))
            ${applyLanes
              .map(
                (g) => `(v128.store offset=${48 * g} (local.get $z) (local.get $a${g}))
            (v128.store offset=${48 * g + 16} (local.get $z) (local.get $b${g}))
            (v128.store offset=${48 * g + 32} (local.get $z) (local.get $t${g}))`,
              )
              .join('\n            ')}
            (local.set $z (i32.add (local.get $z) (i32.const ${48 * APPLY_GROUPS})))
            (local.set $og (i32.add (local.get $og) (i32.const ${16 * APPLY_GROUPS})))
            (br $groups)))))
        (local.set $zx (i32.add (local.get $zx) (i32.const 1)))
        (br $cols)))
      (local.set $zy (i32.add (local.get $zy) (i32.const 1)))
      (br $rows))))

  ;; The pool-1 pattern at (s, t): per unit, the largest conv-1 value of its 2 × 2 window (the
  ;; first of equals) if positive, recomputed for the groups whose slack does not cover (s, t);
  ;; each unit whose winner changed is scattered into Z and win updated. A group's slack: each
  ;; value is linear in (s, t), so a unit's pattern holds while no window's value crosses the
  ;; winner's (an active unit) or zero (the winner of an active unit, every window of an inactive
  ;; one); the bound takes the smallest such distance over the group's lanes and windows.
  (func $pattern (param $s f32) (param $t f32)
    (local $y i32) (local $x i32) (local $c i32) (local $p i32) (local $end i32) (local $unit i32)
    (local $info i32) (local $d1 i32) (local $d2 i32) (local $first i32) (local $pos i32)
    (local $vs v128) (local $vt v128) (local $m v128) (local $best v128) (local $idx v128)
    (local $base v128) (local $old v128) (local $new v128) (local $active v128)
    (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128)
    (local $P0 v128) (local $P1 v128) (local $P2 v128) (local $P3 v128)
    (local $Q0 v128) (local $Q1 v128) (local $Q2 v128) (local $Q3 v128)
    (local $Pw v128) (local $Qw v128) (local $R v128) (local $PR v128) (local $QR v128) (local $r v128) (local $sigma v128) (local $theta v128)
    (local.set $vs (f32x4.splat (local.get $s)))
    (local.set $vt (f32x4.splat (local.get $t)))
    (local.set $unit (global.get $win))
    (local.set $info (global.get $slack))
    (global.set $pending (i32.const 0))
    ${overWindows('(global.get $APQ)', '(global.get $c1)', '(global.get $h1)', '(global.get $p1)', {
      start: `(local.set $c (i32.const 0))
        (local.set $first (global.get $pending))`,
      group: `(if (i32.eqz (f32.lt
                (f32.add
                  (f32.mul (f32.abs (f32.sub (local.get $s) (f32.load (local.get $info)))) (f32.load offset=8 (local.get $info)))
                  (f32.mul (f32.abs (f32.sub (local.get $t) (f32.load offset=4 (local.get $info)))) (f32.load offset=12 (local.get $info))))
                (f32.const 1)))
            (then
              (local.set $base (i32x4.add
                (i32x4.splat (i32.sub (local.get $p) (global.get $APQ)))
                (v128.const i32x4 0 4 8 12)))
              ${windowValue(0, '(i32.const 0)')}
              (local.set $best (local.get $v0))
              (local.set $Pw (local.get $P0))
              (local.set $Qw (local.get $Q0))
              (local.set $idx (local.get $base))
              ${contend(1, '(local.get $d1)')}
              ${contend(2, '(local.get $d2)')}
              ${contend(3, '(i32.add (local.get $d1) (local.get $d2))')}
              (local.set $active (f32x4.gt (local.get $best) (f32x4.splat (f32.const 0))))
              (local.set $new (v128.bitselect (local.get $idx) (i32x4.splat (i32.const -1)) (local.get $active)))
              ;; The reference: the winner for an active unit, zero for an inactive one.
              (local.set $R (v128.and (local.get $best) (local.get $active)))
              (local.set $PR (v128.and (local.get $Pw) (local.get $active)))
              (local.set $QR (v128.and (local.get $Qw) (local.get $active)))
              (local.set $sigma (v128.const f32x4 0 0 0 0))
              (local.set $theta (v128.const f32x4 0 0 0 0))
              ${bound('(local.get $v0)', '(local.get $P0)', '(local.get $Q0)')}
              ${bound('(local.get $v1)', '(local.get $P1)', '(local.get $Q1)')}
              ${bound('(local.get $v2)', '(local.get $P2)', '(local.get $Q2)')}
              ${bound('(local.get $v3)', '(local.get $P3)', '(local.get $Q3)')}
              ;; An active unit's winner against zero (for an inactive one, 0/0: ignored).
              ${bound('(v128.const f32x4 0 0 0 0)', '(v128.const f32x4 0 0 0 0)', '(v128.const f32x4 0 0 0 0)')}
              ${largest('$sigma')}
              ${largest('$theta')}
              (f32.store (local.get $info) (local.get $s))
              (f32.store offset=4 (local.get $info) (local.get $t))
              (f32.store offset=8 (local.get $info) (f32x4.extract_lane 0 (local.get $sigma)))
              (f32.store offset=12 (local.get $info) (f32x4.extract_lane 0 (local.get $theta)))
              (local.set $old (v128.load (local.get $unit)))
              (if (v128.any_true (i32x4.ne (local.get $old) (local.get $new))) (then
                (v128.store (local.get $unit) (local.get $new))
                ${lane(0)}
                ${lane(1)}
                ${lane(2)}
                ${lane(3)}))))
          (local.set $unit (i32.add (local.get $unit) (i32.const 16)))
          (local.set $info (i32.add (local.get $info) (i32.const 16)))
          (local.set $c (i32.add (local.get $c) (i32.const 4)))`,
      end: `;; This position's changes: entries first … pending − 1.
        (local.set $pos (i32.shl (i32.add (i32.mul (local.get $y) (global.get $p1)) (local.get $x)) (i32.const 2)))
        (i32.store (i32.add (global.get $starts) (local.get $pos)) (local.get $first))
        (i32.store (i32.add (global.get $counts) (local.get $pos)) (i32.sub (global.get $pending) (local.get $first)))`,
    })})

  ;; Pool 2 of ReLU(G + s·Gs + t·Gt) into out [p2 × p2 × c2].
  (func $features (param $s f32) (param $t f32) (param $out i32)
    (local $y i32) (local $x i32) (local $p i32) (local $end i32) (local $d1 i32) (local $d2 i32)
    (local $vs v128) (local $vt v128)
    (local.set $vs (f32x4.splat (local.get $s)))
    (local.set $vt (f32x4.splat (local.get $t)))
    ${overWindows('(global.get $Z)', '(global.get $c2)', '(global.get $h2)', '(global.get $p2)', {
      group: `(v128.store (local.get $out)
            (f32x4.pmax
              (f32x4.pmax
                (f32x4.pmax (f32x4.splat (f32.const 0)) ${value('(local.get $p)')})
                ${value('(i32.add (local.get $p) (local.get $d1))')})
              (f32x4.pmax
                ${value('(i32.add (local.get $p) (local.get $d2))')}
                ${value('(i32.add (local.get $p) (i32.add (local.get $d1) (local.get $d2)))')})))
          (local.set $out (i32.add (local.get $out) (i32.const 16)))`,
    })})

  ;; Walks n plane points (coords [n × 2] f32) in order, writing each one's pool-2 output to out.
  (func (export "run") (param $coords i32) (param $n i32) (param $out i32)
    (local $k i32) (local $s f32) (local $t f32) (local $size i32)
    (local.set $size (i32.shl (i32.mul (i32.mul (global.get $p2) (global.get $p2)) (global.get $c2)) (i32.const 2)))
    (block $done (loop $points
      (br_if $done (i32.ge_u (local.get $k) (local.get $n)))
      (local.set $s (f32.load (i32.add (local.get $coords) (i32.shl (local.get $k) (i32.const 3)))))
      (local.set $t (f32.load offset=4 (i32.add (local.get $coords) (i32.shl (local.get $k) (i32.const 3)))))
      (call $pattern (local.get $s) (local.get $t))
      (call $apply)
      (call $features (local.get $s) (local.get $t) (i32.add (local.get $out) (i32.mul (local.get $k) (local.get $size))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $points))))
)
`;

/**
 * The little of the WebAssembly JavaScript API used here: Node has it all, the project's
 * TypeScript libraries (ES2022, no DOM) declare none of it.
 */
declare const WebAssembly: {
  compile(bytes: Uint8Array): Promise<object>;
  Memory: new (descriptor: { initial: number; maximum: number; shared: true }) => KernelMemory;
};

/** A kernel's memory, shared between the thread that walks and the one that fills and reads it. */
export interface KernelMemory {
  buffer: ArrayBufferLike;
  grow(pages: number): number;
}

/** The kernel instance's sizes and byte offsets, set before each walk. */
export type KernelLayout = Record<
  | 'c1'
  | 'h1'
  | 'p1'
  | 'c2'
  | 'k2'
  | 'h2'
  | 'p2'
  | 'APQ'
  | 'W2'
  | 'Z'
  | 'win'
  | 'slack'
  | 'changes'
  | 'counts'
  | 'starts'
  | 'pairs',
  number
>;

/** The compiled kernel, once per process. */
let compiled: Promise<object> | undefined;

function kernelModule(): Promise<object> {
  compiled ??= (async () => {
    const { default: wabtInit } = await import('wabt');
    const wabt = await wabtInit();
    const parsed = wabt.parseWat('plane-kernel.wat', PLANE_KERNEL_WAT, {
      simd: true,
      mutable_globals: true,
      threads: true,
    });
    // V8 validates the module as it compiles it (wabt's validator refuses shared memories).
    try {
      return await WebAssembly.compile(parsed.toBinary({ write_debug_names: true }).buffer);
    } finally {
      parsed.destroy();
    }
  })();
  return compiled;
}

/**
 * A walker thread's code (CommonJS, evaluated: nothing to resolve from dist/ or the sources): it
 * instantiates the kernel on memories it is given, one instance per slice, and walks on request.
 */
const WALKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const kernels = new Map();
parentPort.on('message', async (message) => {
  try {
    if (message.kind === 'create') {
      const instance = await WebAssembly.instantiate(message.module, { env: { memory: message.memory } });
      kernels.set(message.id, instance.exports);
    } else if (message.kind === 'run') {
      const kernel = kernels.get(message.id);
      for (const [name, value] of Object.entries(message.layout)) kernel[name].value = value;
      kernel.run(message.coords, message.n, message.out);
    } else kernels.delete(message.id);
    parentPort.postMessage({ id: message.id });
  } catch (error) {
    parentPort.postMessage({ id: message.id, error: String(error) });
  }
});
`;

interface WalkerThread {
  worker: Worker;
  /** Per instance id, the callbacks of its requests in order (a thread answers in order). */
  answers: Map<number, ((error?: string) => void)[]>;
}

/** Node's Worker, loaded once (this module is shared with code that never walks). */
type Worker = import('node:worker_threads').Worker;

/**
 * Walker threads, shared by every kernel instance of the process and started as instances need
 * them: one per instance up to max(8, 2 × cores) (the lanes of four slices on this project's
 * 2-core machines), so that the lanes of a step's slices all walk at once and the cores share
 * them out evenly; instances beyond take turns on them.
 */
const walkers: WalkerThread[] = [];
let instances = 0;

async function nextWalker(): Promise<WalkerThread> {
  const [{ Worker }, { availableParallelism }] = await Promise.all([import('node:worker_threads'), import('node:os')]);
  const index = instances++ % Math.max(8, 2 * availableParallelism());
  return (walkers[index] ??= startWalker(new Worker(WALKER_SOURCE, { eval: true })));
}

function startWalker(worker: Worker): WalkerThread {
  const thread: WalkerThread = { worker, answers: new Map() };
  worker.on('message', ({ id, error }: { id: number; error?: string }) => thread.answers.get(id)!.shift()!(error));
  // A walker that dies fails every walk waiting on it instead of leaving it hanging.
  worker.on('error', (error) => {
    for (const waiting of thread.answers.values()) for (const answer of waiting.splice(0)) answer(String(error));
  });
  // Idle walkers never keep the process alive.
  worker.unref();
  return thread;
}

/** One instance of the kernel on a walker thread. */
interface Instance {
  thread: WalkerThread;
  id: number;
}

/**
 * One slice's kernel: its memory (filled and read on this thread) and `lanes` instances of the
 * kernel on it, each on its own walker thread, so that a slice's walk can be split between cores
 * (each lane keeps its own walk state in the memory; SlicePlane) and the walks of a step's slices
 * run at once. A lane's walks run in order.
 */
export class PlaneKernel {
  private constructor(
    readonly memory: KernelMemory,
    private readonly instances: Instance[],
  ) {}

  static async create(lanes: number): Promise<PlaneKernel> {
    const module = await kernelModule();
    const memory = new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES, shared: true });
    const instances: Instance[] = [];
    for (let lane = 0; lane < lanes; lane++) instances.push({ thread: await nextWalker(), id: nextId++ });
    const kernel = new PlaneKernel(memory, instances);
    await Promise.all(instances.map((instance) => kernel.request(instance, { kind: 'create', module, memory })));
    return kernel;
  }

  /** The lanes: instances that can walk at once, each with the layout of its own state. */
  get lanes(): number {
    return this.instances.length;
  }

  /**
   * Walks n points (coords [n × 2] f32 at byte `coords`) on `lane`, with its layout, writing pool
   * 2's output from byte `out`.
   */
  run(lane: number, layout: KernelLayout, coords: number, n: number, out: number): Promise<void> {
    return this.request(this.instances[lane]!, { kind: 'run', layout, coords, n, out });
  }

  /** Frees the slice's instances on their walker threads. */
  dispose(): void {
    for (const instance of this.instances) void this.request(instance, { kind: 'dispose' });
  }

  private request({ thread, id }: Instance, message: object): Promise<void> {
    const { answers, worker } = thread;
    return new Promise<void>((resolve, reject) => {
      const answer = (error?: string) =>
        error === undefined ? resolve() : reject(new Error(`plane-form walk failed: ${error}`));
      answers.set(id, [...(answers.get(id) ?? []), answer]);
      // A walker keeps the process alive only while it has work.
      worker.ref();
      worker.postMessage({ ...message, id });
    }).finally(() => {
      if ([...answers.values()].every((waiting) => waiting.length === 0)) worker.unref();
    });
  }
}

/** Instance ids, unique in the process. */
let nextId = 0;
