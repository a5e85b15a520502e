;; Hand-written WebAssembly SIMD kernels over tfjs-backend-wasm's heap (engine/simd/simd.ts).
;;
;; The module imports the backend's own memory, so a tensor's data is read and written in place at
;; its heap offset. Every kernel works on float32 arrays four lanes at a time, with a scalar tail.
;; Pointers are byte offsets; lengths are element counts.
(module
  (import "env" "memory" (memory 1))

  ;; dst[j] = Σ_{r < R} src[r·m + j] for j < m: a sum over the leading axis of an [R, m] array.
  ;; Column blocks of four outer, rows inner: one accumulator per block, each input read once.
  (func (export "sum_rows") (param $src i32) (param $dst i32) (param $R i32) (param $m i32)
    (local $j i32) (local $r i32) (local $p i32) (local $stride i32) (local $m4 i32)
    (local $acc v128) (local $s f32)
    (local.set $stride (i32.shl (local.get $m) (i32.const 2)))
    (local.set $m4 (i32.and (local.get $m) (i32.const -4)))
    (block $vec_done
      (loop $vec
        (br_if $vec_done (i32.ge_u (local.get $j) (local.get $m4)))
        (local.set $acc (v128.const f32x4 0 0 0 0))
        (local.set $p (i32.add (local.get $src) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $r (i32.const 0))
        (block $rows_done
          (loop $rows
            (br_if $rows_done (i32.ge_u (local.get $r) (local.get $R)))
            (local.set $acc (f32x4.add (local.get $acc) (v128.load (local.get $p))))
            (local.set $p (i32.add (local.get $p) (local.get $stride)))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $rows)))
        (v128.store (i32.add (local.get $dst) (i32.shl (local.get $j) (i32.const 2))) (local.get $acc))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $vec)))
    (block $tail_done
      (loop $tail
        (br_if $tail_done (i32.ge_u (local.get $j) (local.get $m)))
        (local.set $s (f32.const 0))
        (local.set $p (i32.add (local.get $src) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $r (i32.const 0))
        (block $rows_done
          (loop $rows
            (br_if $rows_done (i32.ge_u (local.get $r) (local.get $R)))
            (local.set $s (f32.add (local.get $s) (f32.load (local.get $p))))
            (local.set $p (i32.add (local.get $p) (local.get $stride)))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $rows)))
        (f32.store (i32.add (local.get $dst) (i32.shl (local.get $j) (i32.const 2))) (local.get $s))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $tail)))
  )

;; dst[j] = Σ_{r < R} w[r]·src[r·m + j]: Aᵀ·g for A = src [R, m] and a column g = w [R] (the gradient of
;; a layer with one output), without transposing A.
(func (export "weighted_sum_rows") (param $src i32) (param $w i32) (param $dst i32) (param $R i32) (param $m i32)
  (local $j i32) (local $r i32) (local $p i32) (local $q i32) (local $stride i32) (local $m4 i32)
  (local $acc v128) (local $s f32)
  (local.set $stride (i32.shl (local.get $m) (i32.const 2)))
  (local.set $m4 (i32.and (local.get $m) (i32.const -4)))
  (block $vec_done
    (loop $vec
      (br_if $vec_done (i32.ge_u (local.get $j) (local.get $m4)))
      (local.set $acc (v128.const f32x4 0 0 0 0))
      (local.set $p (i32.add (local.get $src) (i32.shl (local.get $j) (i32.const 2))))
      (local.set $q (local.get $w))
      (local.set $r (i32.const 0))
      (block $rows_done
        (loop $rows
          (br_if $rows_done (i32.ge_u (local.get $r) (local.get $R)))
          (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (v128.load (local.get $p)) (f32x4.splat (f32.load (local.get $q))))))
          (local.set $p (i32.add (local.get $p) (local.get $stride)))
          (local.set $q (i32.add (local.get $q) (i32.const 4)))
          (local.set $r (i32.add (local.get $r) (i32.const 1)))
          (br $rows)))
      (v128.store (i32.add (local.get $dst) (i32.shl (local.get $j) (i32.const 2))) (local.get $acc))
      (local.set $j (i32.add (local.get $j) (i32.const 4)))
      (br $vec)))
  (block $tail_done
    (loop $tail
      (br_if $tail_done (i32.ge_u (local.get $j) (local.get $m)))
      (local.set $s (f32.const 0))
      (local.set $p (i32.add (local.get $src) (i32.shl (local.get $j) (i32.const 2))))
      (local.set $q (local.get $w))
      (local.set $r (i32.const 0))
      (block $rows_done
        (loop $rows
          (br_if $rows_done (i32.ge_u (local.get $r) (local.get $R)))
          (local.set $s (f32.add (local.get $s) (f32.mul (f32.load (local.get $p)) (f32.load (local.get $q)))))
          (local.set $p (i32.add (local.get $p) (local.get $stride)))
          (local.set $q (i32.add (local.get $q) (i32.const 4)))
          (local.set $r (i32.add (local.get $r) (i32.const 1)))
          (br $rows)))
      (f32.store (i32.add (local.get $dst) (i32.shl (local.get $j) (i32.const 2))) (local.get $s))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $tail)))
)

;; dst = srcᵀ for a row-major [rows, cols] array of 4-byte elements: dst[j·rows + i] = src[i·cols + j].
;; 4×4 blocks by eight shuffles; the blocks of a band of 32 rows go column by column, so the band's
;; input lines stay in cache while each output row is written in runs of 32. Scalar edges.
(func (export "transpose2d") (param $src i32) (param $dst i32) (param $rows i32) (param $cols i32)
  (local $i0 i32) (local $iEnd i32) (local $i i32) (local $j i32) (local $rows4 i32) (local $cols4 i32)
  (local $sstride i32) (local $dstride i32) (local $p i32) (local $q i32)
  (local $a v128) (local $b v128) (local $c v128) (local $d v128) (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
  (local.set $rows4 (i32.and (local.get $rows) (i32.const -4)))
  (local.set $cols4 (i32.and (local.get $cols) (i32.const -4)))
  (local.set $sstride (i32.shl (local.get $cols) (i32.const 2)))
  (local.set $dstride (i32.shl (local.get $rows) (i32.const 2)))
  (block $bands_done
    (loop $bands
      (br_if $bands_done (i32.ge_u (local.get $i0) (local.get $rows4)))
      (local.set $iEnd (select (i32.add (local.get $i0) (i32.const 32)) (local.get $rows4)
        (i32.lt_u (i32.add (local.get $i0) (i32.const 32)) (local.get $rows4))))
      (local.set $j (i32.const 0))
      (block $cols_done
        (loop $colsl
          (br_if $cols_done (i32.ge_u (local.get $j) (local.get $cols4)))
          (local.set $i (local.get $i0))
          (block $blocks_done
            (loop $blocks
              (br_if $blocks_done (i32.ge_u (local.get $i) (local.get $iEnd)))
              (local.set $p (i32.add (local.get $src) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $cols)) (local.get $j)) (i32.const 2))))
              (local.set $a (v128.load (local.get $p)))
              (local.set $b (v128.load (i32.add (local.get $p) (local.get $sstride))))
              (local.set $c (v128.load (i32.add (local.get $p) (i32.shl (local.get $sstride) (i32.const 1)))))
              (local.set $d (v128.load (i32.add (local.get $p) (i32.mul (local.get $sstride) (i32.const 3)))))
              (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a) (local.get $b)))
              (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a) (local.get $b)))
              (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $c) (local.get $d)))
              (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $c) (local.get $d)))
              (local.set $q (i32.add (local.get $dst) (i32.shl (i32.add (i32.mul (local.get $j) (local.get $rows)) (local.get $i)) (i32.const 2))))
              (v128.store (local.get $q) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
              (v128.store (i32.add (local.get $q) (local.get $dstride))
                (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
              (v128.store (i32.add (local.get $q) (i32.shl (local.get $dstride) (i32.const 1)))
                (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
              (v128.store (i32.add (local.get $q) (i32.mul (local.get $dstride) (i32.const 3)))
                (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3)))
              (local.set $i (i32.add (local.get $i) (i32.const 4)))
              (br $blocks)))
          (local.set $j (i32.add (local.get $j) (i32.const 4)))
          (br $colsl)))
      (local.set $i0 (local.get $iEnd))
      (br $bands)))
  ;; Edges: the last cols % 4 columns of the first rows4 rows, then every column of the last rows % 4 rows.
  (local.set $i (i32.const 0))
  (block $edge_done
    (loop $edge
      (br_if $edge_done (i32.ge_u (local.get $i) (local.get $rows)))
      (local.set $j (select (local.get $cols4) (i32.const 0) (i32.lt_u (local.get $i) (local.get $rows4))))
      (block $row_done
        (loop $row
          (br_if $row_done (i32.ge_u (local.get $j) (local.get $cols)))
          (i32.store (i32.add (local.get $dst) (i32.shl (i32.add (i32.mul (local.get $j) (local.get $rows)) (local.get $i)) (i32.const 2)))
            (i32.load (i32.add (local.get $src) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $cols)) (local.get $j)) (i32.const 2)))))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $row)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $edge)))
)

;; The tanh rule of a collapsed 2-jet after y₀ = tanh z₀ (engine/simd/tanh-jet.ts), at the N·h
;; positions p = n·h + j, four j at a time (h a multiple of 4), w = 1 − y₀², directions r innermost:
;;   y₁[r, p] = w·z₁[r, p],   y₂[p] = w·(z₂[p] − y₀·S),   S = Σ_r z₁[r, p]².
;; z₁ is read at r·rs + n·ns + j (ns = 0: one tangent shared by every point); y₁ is [R, N, h].
(func (export "tanh2c_fwd")
  (param $y0 i32) (param $z1 i32) (param $z2 i32) (param $y1 i32) (param $y2 i32)
  (param $R i32) (param $N i32) (param $h i32) (param $rs i32) (param $ns i32) (param $hasz2 i32)
  (local $n i32) (local $j i32) (local $r i32) (local $p i32) (local $zp i32) (local $yp i32)
  (local $Pb i32) (local $rsb i32) (local $y v128) (local $w v128) (local $s v128) (local $v v128) (local $t v128)
  (local.set $Pb (i32.shl (i32.mul (local.get $N) (local.get $h)) (i32.const 2)))
  (local.set $rsb (i32.shl (local.get $rs) (i32.const 2)))
  (block $n_done (loop $n_loop
    (br_if $n_done (i32.ge_u (local.get $n) (local.get $N)))
    (local.set $j (i32.const 0))
    (block $j_done (loop $j_loop
      (br_if $j_done (i32.ge_u (local.get $j) (local.get $h)))
      (local.set $p (i32.shl (i32.add (i32.mul (local.get $n) (local.get $h)) (local.get $j)) (i32.const 2)))
      (local.set $y (v128.load (i32.add (local.get $y0) (local.get $p))))
      (local.set $w (f32x4.sub (f32x4.splat (f32.const 1)) (f32x4.mul (local.get $y) (local.get $y))))
      (local.set $s (v128.const f32x4 0 0 0 0))
      (local.set $zp (i32.add (local.get $z1) (i32.shl (i32.add (i32.mul (local.get $n) (local.get $ns)) (local.get $j)) (i32.const 2))))
      (local.set $yp (i32.add (local.get $y1) (local.get $p)))
      (local.set $r (i32.const 0))
      (block $r_done (loop $r_loop
        (br_if $r_done (i32.ge_u (local.get $r) (local.get $R)))
        (local.set $v (v128.load (local.get $zp)))
        (v128.store (local.get $yp) (f32x4.mul (local.get $w) (local.get $v)))
        (local.set $s (f32x4.add (local.get $s) (f32x4.mul (local.get $v) (local.get $v))))
        (local.set $zp (i32.add (local.get $zp) (local.get $rsb)))
        (local.set $yp (i32.add (local.get $yp) (local.get $Pb)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $r_loop)))
      (local.set $t (f32x4.neg (f32x4.mul (local.get $y) (local.get $s))))
      (if (local.get $hasz2)
        (then (local.set $t (f32x4.add (local.get $t) (v128.load (i32.add (local.get $z2) (local.get $p)))))))
      (v128.store (i32.add (local.get $y2) (local.get $p)) (f32x4.mul (local.get $w) (local.get $t)))
      (local.set $j (i32.add (local.get $j) (i32.const 4)))
      (br $j_loop)))
    (local.set $n (i32.add (local.get $n) (i32.const 1)))
    (br $n_loop)))
)

;; Its gradient with respect to z₀, from the output gradients g₀ (where $hasg0), g₁, g₂ (P = Σ_r g₁·z₁):
;;   ∂z₀ = w·(g₀ + ∂y₀),   ∂y₀ = −2y₀·P + g₂·(−2y₀·z₂ − (1 − 3y₀²)·S).
(func (export "tanh2c_grad_z0")
  (param $y0 i32) (param $z1 i32) (param $z2 i32) (param $g0 i32) (param $g1 i32) (param $g2 i32) (param $out i32)
  (param $R i32) (param $N i32) (param $h i32) (param $rs i32) (param $ns i32) (param $hasz2 i32) (param $hasg0 i32)
  (local $n i32) (local $j i32) (local $r i32) (local $p i32) (local $zp i32) (local $gp i32)
  (local $Pb i32) (local $rsb i32) (local $y v128) (local $s v128) (local $q v128) (local $v v128) (local $g v128) (local $t v128)
  (local.set $Pb (i32.shl (i32.mul (local.get $N) (local.get $h)) (i32.const 2)))
  (local.set $rsb (i32.shl (local.get $rs) (i32.const 2)))
  (block $n_done (loop $n_loop
    (br_if $n_done (i32.ge_u (local.get $n) (local.get $N)))
    (local.set $j (i32.const 0))
    (block $j_done (loop $j_loop
      (br_if $j_done (i32.ge_u (local.get $j) (local.get $h)))
      (local.set $p (i32.shl (i32.add (i32.mul (local.get $n) (local.get $h)) (local.get $j)) (i32.const 2)))
      (local.set $y (v128.load (i32.add (local.get $y0) (local.get $p))))
      (local.set $s (v128.const f32x4 0 0 0 0))
      (local.set $q (v128.const f32x4 0 0 0 0))
      (local.set $zp (i32.add (local.get $z1) (i32.shl (i32.add (i32.mul (local.get $n) (local.get $ns)) (local.get $j)) (i32.const 2))))
      (local.set $gp (i32.add (local.get $g1) (local.get $p)))
      (local.set $r (i32.const 0))
      (block $r_done (loop $r_loop
        (br_if $r_done (i32.ge_u (local.get $r) (local.get $R)))
        (local.set $v (v128.load (local.get $zp)))
        (local.set $g (v128.load (local.get $gp)))
        (local.set $s (f32x4.add (local.get $s) (f32x4.mul (local.get $v) (local.get $v))))
        (local.set $q (f32x4.add (local.get $q) (f32x4.mul (local.get $g) (local.get $v))))
        (local.set $zp (i32.add (local.get $zp) (local.get $rsb)))
        (local.set $gp (i32.add (local.get $gp) (local.get $Pb)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $r_loop)))
      ;; t = −(1 − 3y²)·S, then − 2y·z₂ where there is a z₂
      (local.set $t (f32x4.neg (f32x4.mul (local.get $s)
        (f32x4.sub (f32x4.splat (f32.const 1)) (f32x4.mul (f32x4.splat (f32.const 3)) (f32x4.mul (local.get $y) (local.get $y)))))))
      (if (local.get $hasz2)
        (then (local.set $t (f32x4.sub (local.get $t)
          (f32x4.mul (f32x4.add (local.get $y) (local.get $y)) (v128.load (i32.add (local.get $z2) (local.get $p))))))))
      ;; ∂y₀ = −2y·P + g₂·t, then w·(g₀ + ∂y₀)
      (local.set $t (f32x4.sub (f32x4.mul (v128.load (i32.add (local.get $g2) (local.get $p))) (local.get $t))
        (f32x4.mul (f32x4.add (local.get $y) (local.get $y)) (local.get $q))))
      (if (local.get $hasg0)
        (then (local.set $t (f32x4.add (local.get $t) (v128.load (i32.add (local.get $g0) (local.get $p)))))))
      (v128.store (i32.add (local.get $out) (local.get $p))
        (f32x4.mul (f32x4.sub (f32x4.splat (f32.const 1)) (f32x4.mul (local.get $y) (local.get $y))) (local.get $t)))
      (local.set $j (i32.add (local.get $j) (i32.const 4)))
      (br $j_loop)))
    (local.set $n (i32.add (local.get $n) (i32.const 1)))
    (br $n_loop)))
)

;; Its gradient with respect to z₁ (laid out like z₁; summed over the points when ns = 0):
;;   ∂z₁[r, p] = w·g₁[r, p] − 2y₀·w·g₂[p]·z₁[r, p].
(func (export "tanh2c_grad_z1")
  (param $y0 i32) (param $z1 i32) (param $g1 i32) (param $g2 i32) (param $out i32)
  (param $R i32) (param $N i32) (param $h i32) (param $rs i32) (param $ns i32)
  (local $n i32) (local $j i32) (local $r i32) (local $p i32) (local $zo i32) (local $gp i32)
  (local $Pb i32) (local $rsb i32) (local $y v128) (local $w v128) (local $c v128)
  (local.set $Pb (i32.shl (i32.mul (local.get $N) (local.get $h)) (i32.const 2)))
  (local.set $rsb (i32.shl (local.get $rs) (i32.const 2)))
  (memory.fill (local.get $out) (i32.const 0) (i32.mul (local.get $R) (local.get $rsb)))
  (block $n_done (loop $n_loop
    (br_if $n_done (i32.ge_u (local.get $n) (local.get $N)))
    (local.set $j (i32.const 0))
    (block $j_done (loop $j_loop
      (br_if $j_done (i32.ge_u (local.get $j) (local.get $h)))
      (local.set $p (i32.shl (i32.add (i32.mul (local.get $n) (local.get $h)) (local.get $j)) (i32.const 2)))
      (local.set $y (v128.load (i32.add (local.get $y0) (local.get $p))))
      (local.set $w (f32x4.sub (f32x4.splat (f32.const 1)) (f32x4.mul (local.get $y) (local.get $y))))
      (local.set $c (f32x4.mul (f32x4.mul (f32x4.add (local.get $y) (local.get $y)) (local.get $w))
        (v128.load (i32.add (local.get $g2) (local.get $p)))))
      ;; the same offset in z₁ and in the output
      (local.set $zo (i32.shl (i32.add (i32.mul (local.get $n) (local.get $ns)) (local.get $j)) (i32.const 2)))
      (local.set $gp (i32.add (local.get $g1) (local.get $p)))
      (local.set $r (i32.const 0))
      (block $r_done (loop $r_loop
        (br_if $r_done (i32.ge_u (local.get $r) (local.get $R)))
        (v128.store (i32.add (local.get $out) (local.get $zo))
          (f32x4.add (v128.load (i32.add (local.get $out) (local.get $zo)))
            (f32x4.sub (f32x4.mul (local.get $w) (v128.load (local.get $gp)))
              (f32x4.mul (local.get $c) (v128.load (i32.add (local.get $z1) (local.get $zo)))))))
        (local.set $zo (i32.add (local.get $zo) (local.get $rsb)))
        (local.set $gp (i32.add (local.get $gp) (local.get $Pb)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $r_loop)))
      (local.set $j (i32.add (local.get $j) (i32.const 4)))
      (br $j_loop)))
    (local.set $n (i32.add (local.get $n) (i32.const 1)))
    (br $n_loop)))
)

;; The same rule per direction (sparse STDE keeps every direction's top):
;;   y₁[r, p] = w·z₁[r, p],   y₂[r, p] = w·(z₂[r, p] − y₀·z₁[r, p]²),
;; z₂ read at r·rs2 + n·ns2 + j; y₁ and y₂ are [R, N, h].
(func (export "tanh2_fwd")
  (param $y0 i32) (param $z1 i32) (param $z2 i32) (param $y1 i32) (param $y2 i32)
  (param $R i32) (param $N i32) (param $h i32) (param $rs i32) (param $ns i32) (param $rs2 i32) (param $ns2 i32) (param $hasz2 i32)
  (local $n i32) (local $j i32) (local $r i32) (local $p i32) (local $zp i32) (local $z2p i32) (local $yp i32)
  (local $Pb i32) (local $rsb i32) (local $rs2b i32) (local $y v128) (local $w v128) (local $v v128) (local $t v128)
  (local.set $Pb (i32.shl (i32.mul (local.get $N) (local.get $h)) (i32.const 2)))
  (local.set $rsb (i32.shl (local.get $rs) (i32.const 2)))
  (local.set $rs2b (i32.shl (local.get $rs2) (i32.const 2)))
  (block $n_done (loop $n_loop
    (br_if $n_done (i32.ge_u (local.get $n) (local.get $N)))
    (local.set $j (i32.const 0))
    (block $j_done (loop $j_loop
      (br_if $j_done (i32.ge_u (local.get $j) (local.get $h)))
      (local.set $p (i32.shl (i32.add (i32.mul (local.get $n) (local.get $h)) (local.get $j)) (i32.const 2)))
      (local.set $y (v128.load (i32.add (local.get $y0) (local.get $p))))
      (local.set $w (f32x4.sub (f32x4.splat (f32.const 1)) (f32x4.mul (local.get $y) (local.get $y))))
      (local.set $zp (i32.add (local.get $z1) (i32.shl (i32.add (i32.mul (local.get $n) (local.get $ns)) (local.get $j)) (i32.const 2))))
      (local.set $z2p (i32.add (local.get $z2) (i32.shl (i32.add (i32.mul (local.get $n) (local.get $ns2)) (local.get $j)) (i32.const 2))))
      (local.set $yp (local.get $p))
      (local.set $r (i32.const 0))
      (block $r_done (loop $r_loop
        (br_if $r_done (i32.ge_u (local.get $r) (local.get $R)))
        (local.set $v (v128.load (local.get $zp)))
        (v128.store (i32.add (local.get $y1) (local.get $yp)) (f32x4.mul (local.get $w) (local.get $v)))
        (local.set $t (f32x4.neg (f32x4.mul (local.get $y) (f32x4.mul (local.get $v) (local.get $v)))))
        (if (local.get $hasz2)
          (then (local.set $t (f32x4.add (local.get $t) (v128.load (local.get $z2p))))))
        (v128.store (i32.add (local.get $y2) (local.get $yp)) (f32x4.mul (local.get $w) (local.get $t)))
        (local.set $zp (i32.add (local.get $zp) (local.get $rsb)))
        (local.set $z2p (i32.add (local.get $z2p) (local.get $rs2b)))
        (local.set $yp (i32.add (local.get $yp) (local.get $Pb)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $r_loop)))
      (local.set $j (i32.add (local.get $j) (i32.const 4)))
      (br $j_loop)))
    (local.set $n (i32.add (local.get $n) (i32.const 1)))
    (br $n_loop)))
)

;; ∂z₀ = w·(g₀ + ∂y₀),   ∂y₀ = Σ_r [−2y₀·g₁,r·z₁,r + g₂,r·(−2y₀·z₂,r − (1 − 3y₀²)·z₁,r²)].
(func (export "tanh2_grad_z0")
  (param $y0 i32) (param $z1 i32) (param $z2 i32) (param $g0 i32) (param $g1 i32) (param $g2 i32) (param $out i32)
  (param $R i32) (param $N i32) (param $h i32) (param $rs i32) (param $ns i32) (param $rs2 i32) (param $ns2 i32) (param $hasz2 i32) (param $hasg0 i32)
  (local $n i32) (local $j i32) (local $r i32) (local $p i32) (local $zp i32) (local $z2p i32) (local $gp i32)
  (local $Pb i32) (local $rsb i32) (local $rs2b i32)
  (local $y v128) (local $m2y v128) (local $c v128) (local $acc v128) (local $v v128) (local $t v128)
  (local.set $Pb (i32.shl (i32.mul (local.get $N) (local.get $h)) (i32.const 2)))
  (local.set $rsb (i32.shl (local.get $rs) (i32.const 2)))
  (local.set $rs2b (i32.shl (local.get $rs2) (i32.const 2)))
  (block $n_done (loop $n_loop
    (br_if $n_done (i32.ge_u (local.get $n) (local.get $N)))
    (local.set $j (i32.const 0))
    (block $j_done (loop $j_loop
      (br_if $j_done (i32.ge_u (local.get $j) (local.get $h)))
      (local.set $p (i32.shl (i32.add (i32.mul (local.get $n) (local.get $h)) (local.get $j)) (i32.const 2)))
      (local.set $y (v128.load (i32.add (local.get $y0) (local.get $p))))
      (local.set $m2y (f32x4.neg (f32x4.add (local.get $y) (local.get $y))))
      ;; c = −(1 − 3y²)
      (local.set $c (f32x4.sub (f32x4.mul (f32x4.splat (f32.const 3)) (f32x4.mul (local.get $y) (local.get $y))) (f32x4.splat (f32.const 1))))
      (local.set $acc (v128.const f32x4 0 0 0 0))
      (local.set $zp (i32.add (local.get $z1) (i32.shl (i32.add (i32.mul (local.get $n) (local.get $ns)) (local.get $j)) (i32.const 2))))
      (local.set $z2p (i32.add (local.get $z2) (i32.shl (i32.add (i32.mul (local.get $n) (local.get $ns2)) (local.get $j)) (i32.const 2))))
      (local.set $gp (local.get $p))
      (local.set $r (i32.const 0))
      (block $r_done (loop $r_loop
        (br_if $r_done (i32.ge_u (local.get $r) (local.get $R)))
        (local.set $v (v128.load (local.get $zp)))
        ;; t = c·z₁² (+ −2y·z₂)
        (local.set $t (f32x4.mul (local.get $c) (f32x4.mul (local.get $v) (local.get $v))))
        (if (local.get $hasz2)
          (then (local.set $t (f32x4.add (local.get $t) (f32x4.mul (local.get $m2y) (v128.load (local.get $z2p)))))))
        (local.set $acc (f32x4.add (local.get $acc)
          (f32x4.add
            (f32x4.mul (local.get $m2y) (f32x4.mul (v128.load (i32.add (local.get $g1) (local.get $gp))) (local.get $v)))
            (f32x4.mul (v128.load (i32.add (local.get $g2) (local.get $gp))) (local.get $t)))))
        (local.set $zp (i32.add (local.get $zp) (local.get $rsb)))
        (local.set $z2p (i32.add (local.get $z2p) (local.get $rs2b)))
        (local.set $gp (i32.add (local.get $gp) (local.get $Pb)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $r_loop)))
      (if (local.get $hasg0)
        (then (local.set $acc (f32x4.add (local.get $acc) (v128.load (i32.add (local.get $g0) (local.get $p)))))))
      (v128.store (i32.add (local.get $out) (local.get $p))
        (f32x4.mul (f32x4.sub (f32x4.splat (f32.const 1)) (f32x4.mul (local.get $y) (local.get $y))) (local.get $acc)))
      (local.set $j (i32.add (local.get $j) (i32.const 4)))
      (br $j_loop)))
    (local.set $n (i32.add (local.get $n) (i32.const 1)))
    (br $n_loop)))
)

;; ∂z₁[r, p] = w·g₁[r, p] − 2y₀·w·g₂[r, p]·z₁[r, p] and ∂z₂[r, p] = w·g₂[r, p], each laid out like
;; its input (strides rs, ns and rs2, ns2; summed over the points where the stride is 0).
(func (export "tanh2_grad_z12")
  (param $y0 i32) (param $z1 i32) (param $g1 i32) (param $g2 i32) (param $out1 i32) (param $out2 i32)
  (param $R i32) (param $N i32) (param $h i32) (param $rs i32) (param $ns i32) (param $rs2 i32) (param $ns2 i32)
  (local $n i32) (local $j i32) (local $r i32) (local $p i32) (local $zo i32) (local $o2 i32) (local $gp i32)
  (local $Pb i32) (local $rsb i32) (local $rs2b i32) (local $y v128) (local $w v128) (local $g v128)
  (local.set $Pb (i32.shl (i32.mul (local.get $N) (local.get $h)) (i32.const 2)))
  (local.set $rsb (i32.shl (local.get $rs) (i32.const 2)))
  (local.set $rs2b (i32.shl (local.get $rs2) (i32.const 2)))
  (if (local.get $out1) (then (memory.fill (local.get $out1) (i32.const 0) (i32.mul (local.get $R) (local.get $rsb)))))
  (if (local.get $out2) (then (memory.fill (local.get $out2) (i32.const 0) (i32.mul (local.get $R) (local.get $rs2b)))))
  (block $n_done (loop $n_loop
    (br_if $n_done (i32.ge_u (local.get $n) (local.get $N)))
    (local.set $j (i32.const 0))
    (block $j_done (loop $j_loop
      (br_if $j_done (i32.ge_u (local.get $j) (local.get $h)))
      (local.set $p (i32.shl (i32.add (i32.mul (local.get $n) (local.get $h)) (local.get $j)) (i32.const 2)))
      (local.set $y (v128.load (i32.add (local.get $y0) (local.get $p))))
      (local.set $w (f32x4.sub (f32x4.splat (f32.const 1)) (f32x4.mul (local.get $y) (local.get $y))))
      (local.set $zo (i32.shl (i32.add (i32.mul (local.get $n) (local.get $ns)) (local.get $j)) (i32.const 2)))
      (local.set $o2 (i32.shl (i32.add (i32.mul (local.get $n) (local.get $ns2)) (local.get $j)) (i32.const 2)))
      (local.set $gp (local.get $p))
      (local.set $r (i32.const 0))
      (block $r_done (loop $r_loop
        (br_if $r_done (i32.ge_u (local.get $r) (local.get $R)))
        (local.set $g (f32x4.mul (local.get $w) (v128.load (i32.add (local.get $g2) (local.get $gp)))))
        (if (local.get $out1)
          (then (v128.store (i32.add (local.get $out1) (local.get $zo))
            (f32x4.add (v128.load (i32.add (local.get $out1) (local.get $zo)))
              (f32x4.sub (f32x4.mul (local.get $w) (v128.load (i32.add (local.get $g1) (local.get $gp))))
                (f32x4.mul (f32x4.mul (f32x4.add (local.get $y) (local.get $y)) (local.get $g))
                  (v128.load (i32.add (local.get $z1) (local.get $zo)))))))))
        (if (local.get $out2)
          (then (v128.store (i32.add (local.get $out2) (local.get $o2))
            (f32x4.add (v128.load (i32.add (local.get $out2) (local.get $o2))) (local.get $g)))))
        (local.set $zo (i32.add (local.get $zo) (local.get $rsb)))
        (local.set $o2 (i32.add (local.get $o2) (local.get $rs2b)))
        (local.set $gp (i32.add (local.get $gp) (local.get $Pb)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $r_loop)))
      (local.set $j (i32.add (local.get $j) (i32.const 4)))
      (br $j_loop)))
    (local.set $n (i32.add (local.get $n) (i32.const 1)))
    (br $n_loop)))
)

;; Two-body exact solution (benchmarks/pdes/solutions/two-body.ts), pairs i < m of points whose
;; window x_lo … x_{lo+m} is a row of m + 1 values: s_i = x_i + cos x_{i+1} + x_{i+1}·cos x_i.
;; x and cw (cos x) are [N, m + 1]; s is [N, m].
(func (export "two_body_s") (param $x i32) (param $cw i32) (param $s i32) (param $N i32) (param $m i32)
  (local $n i32) (local $i i32) (local $m4 i32) (local $in i32) (local $o i32)
  (local.set $m4 (i32.and (local.get $m) (i32.const -4)))
  (block $n_done (loop $n_loop
    (br_if $n_done (i32.ge_u (local.get $n) (local.get $N)))
    (local.set $i (i32.const 0))
    (block $v_done (loop $v_loop
      (br_if $v_done (i32.ge_u (local.get $i) (local.get $m4)))
      (local.set $in (i32.shl (i32.add (i32.mul (local.get $n) (i32.add (local.get $m) (i32.const 1))) (local.get $i)) (i32.const 2)))
      (local.set $o (i32.shl (i32.add (i32.mul (local.get $n) (local.get $m)) (local.get $i)) (i32.const 2)))
      (v128.store (i32.add (local.get $s) (local.get $o))
        (f32x4.add
          (f32x4.add (v128.load (i32.add (local.get $x) (local.get $in))) (v128.load offset=4 (i32.add (local.get $cw) (local.get $in))))
          (f32x4.mul (v128.load offset=4 (i32.add (local.get $x) (local.get $in))) (v128.load (i32.add (local.get $cw) (local.get $in))))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $v_loop)))
    (block $t_done (loop $t_loop
      (br_if $t_done (i32.ge_u (local.get $i) (local.get $m)))
      (local.set $in (i32.shl (i32.add (i32.mul (local.get $n) (i32.add (local.get $m) (i32.const 1))) (local.get $i)) (i32.const 2)))
      (local.set $o (i32.shl (i32.add (i32.mul (local.get $n) (local.get $m)) (local.get $i)) (i32.const 2)))
      (f32.store (i32.add (local.get $s) (local.get $o))
        (f32.add
          (f32.add (f32.load (i32.add (local.get $x) (local.get $in))) (f32.load offset=4 (i32.add (local.get $cw) (local.get $in))))
          (f32.mul (f32.load offset=4 (i32.add (local.get $x) (local.get $in))) (f32.load (i32.add (local.get $cw) (local.get $in))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $t_loop)))
    (local.set $n (i32.add (local.get $n) (i32.const 1)))
    (br $n_loop)))
)

;; Horizontal sum of four lanes.
(func $hsum (param $v v128) (result f32)
  (f32.add
    (f32.add (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 1 (local.get $v)))
    (f32.add (f32x4.extract_lane 2 (local.get $v)) (f32x4.extract_lane 3 (local.get $v)))))

;; Per point, ψ = Σ_i c_i sin s_i and, if $lap, Σ_i c_i·(−inner_i) and Σ_i c_i·radial_i with
;; (a, b) = (x_i, x_{i+1}), A = 1 − b sin a, B = cos a − sin b:
;;   −inner_i = sin s_i (A² + B²) + cos s_i (b cos a + cos b),   radial_i = cos s_i (a A + b B).
;; x, sw, cw: [N, m + 1]; sinS, cosS: [N, m]; c: the coefficients from c_lo on; outputs [N].
(func (export "two_body_sums")
  (param $x i32) (param $sw i32) (param $cw i32) (param $sinS i32) (param $cosS i32) (param $c i32)
  (param $N i32) (param $m i32) (param $lap i32) (param $psi i32) (param $negInner i32) (param $radial i32)
  (local $n i32) (local $i i32) (local $m4 i32) (local $in i32) (local $o i32) (local $ci i32)
  (local $ap v128) (local $an v128) (local $ar v128)
  (local $a v128) (local $b v128) (local $ca v128) (local $A v128) (local $B v128) (local $S v128) (local $C v128) (local $k v128)
  (local $sp f32) (local $sn f32) (local $sr f32)
  (local $fa f32) (local $fb f32) (local $fca f32) (local $fA f32) (local $fB f32) (local $fS f32) (local $fC f32) (local $fk f32)
  (local.set $m4 (i32.and (local.get $m) (i32.const -4)))
  (block $n_done (loop $n_loop
    (br_if $n_done (i32.ge_u (local.get $n) (local.get $N)))
    (local.set $ap (v128.const f32x4 0 0 0 0))
    (local.set $an (v128.const f32x4 0 0 0 0))
    (local.set $ar (v128.const f32x4 0 0 0 0))
    (local.set $i (i32.const 0))
    (block $v_done (loop $v_loop
      (br_if $v_done (i32.ge_u (local.get $i) (local.get $m4)))
      (local.set $in (i32.shl (i32.add (i32.mul (local.get $n) (i32.add (local.get $m) (i32.const 1))) (local.get $i)) (i32.const 2)))
      (local.set $o (i32.shl (i32.add (i32.mul (local.get $n) (local.get $m)) (local.get $i)) (i32.const 2)))
      (local.set $ci (i32.add (local.get $c) (i32.shl (local.get $i) (i32.const 2))))
      (local.set $k (v128.load (local.get $ci)))
      (local.set $S (v128.load (i32.add (local.get $sinS) (local.get $o))))
      (local.set $ap (f32x4.add (local.get $ap) (f32x4.mul (local.get $k) (local.get $S))))
      (if (local.get $lap) (then
        (local.set $a (v128.load (i32.add (local.get $x) (local.get $in))))
        (local.set $b (v128.load offset=4 (i32.add (local.get $x) (local.get $in))))
        (local.set $ca (v128.load (i32.add (local.get $cw) (local.get $in))))
        (local.set $A (f32x4.sub (f32x4.splat (f32.const 1)) (f32x4.mul (local.get $b) (v128.load (i32.add (local.get $sw) (local.get $in))))))
        (local.set $B (f32x4.sub (local.get $ca) (v128.load offset=4 (i32.add (local.get $sw) (local.get $in)))))
        (local.set $C (v128.load (i32.add (local.get $cosS) (local.get $o))))
        (local.set $an (f32x4.add (local.get $an) (f32x4.mul (local.get $k)
          (f32x4.add
            (f32x4.mul (local.get $S) (f32x4.add (f32x4.mul (local.get $A) (local.get $A)) (f32x4.mul (local.get $B) (local.get $B))))
            (f32x4.mul (local.get $C) (f32x4.add (f32x4.mul (local.get $b) (local.get $ca)) (v128.load offset=4 (i32.add (local.get $cw) (local.get $in)))))))))
        (local.set $ar (f32x4.add (local.get $ar) (f32x4.mul (local.get $k)
          (f32x4.mul (local.get $C) (f32x4.add (f32x4.mul (local.get $a) (local.get $A)) (f32x4.mul (local.get $b) (local.get $B)))))))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $v_loop)))
    (local.set $sp (call $hsum (local.get $ap)))
    (local.set $sn (call $hsum (local.get $an)))
    (local.set $sr (call $hsum (local.get $ar)))
    (block $t_done (loop $t_loop
      (br_if $t_done (i32.ge_u (local.get $i) (local.get $m)))
      (local.set $in (i32.shl (i32.add (i32.mul (local.get $n) (i32.add (local.get $m) (i32.const 1))) (local.get $i)) (i32.const 2)))
      (local.set $o (i32.shl (i32.add (i32.mul (local.get $n) (local.get $m)) (local.get $i)) (i32.const 2)))
      (local.set $fk (f32.load (i32.add (local.get $c) (i32.shl (local.get $i) (i32.const 2)))))
      (local.set $fS (f32.load (i32.add (local.get $sinS) (local.get $o))))
      (local.set $sp (f32.add (local.get $sp) (f32.mul (local.get $fk) (local.get $fS))))
      (if (local.get $lap) (then
        (local.set $fa (f32.load (i32.add (local.get $x) (local.get $in))))
        (local.set $fb (f32.load offset=4 (i32.add (local.get $x) (local.get $in))))
        (local.set $fca (f32.load (i32.add (local.get $cw) (local.get $in))))
        (local.set $fA (f32.sub (f32.const 1) (f32.mul (local.get $fb) (f32.load (i32.add (local.get $sw) (local.get $in))))))
        (local.set $fB (f32.sub (local.get $fca) (f32.load offset=4 (i32.add (local.get $sw) (local.get $in)))))
        (local.set $fC (f32.load (i32.add (local.get $cosS) (local.get $o))))
        (local.set $sn (f32.add (local.get $sn) (f32.mul (local.get $fk)
          (f32.add
            (f32.mul (local.get $fS) (f32.add (f32.mul (local.get $fA) (local.get $fA)) (f32.mul (local.get $fB) (local.get $fB))))
            (f32.mul (local.get $fC) (f32.add (f32.mul (local.get $fb) (local.get $fca)) (f32.load offset=4 (i32.add (local.get $cw) (local.get $in)))))))))
        (local.set $sr (f32.add (local.get $sr) (f32.mul (local.get $fk)
          (f32.mul (local.get $fC) (f32.add (f32.mul (local.get $fa) (local.get $fA)) (f32.mul (local.get $fb) (local.get $fB)))))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $t_loop)))
    (f32.store (i32.add (local.get $psi) (i32.shl (local.get $n) (i32.const 2))) (local.get $sp))
    (if (local.get $lap) (then
      (f32.store (i32.add (local.get $negInner) (i32.shl (local.get $n) (i32.const 2))) (local.get $sn))
      (f32.store (i32.add (local.get $radial) (i32.shl (local.get $n) (i32.const 2))) (local.get $sr))))
    (local.set $n (i32.add (local.get $n) (i32.const 1)))
    (br $n_loop)))
)

;; Standard normal numbers (sampling/threefry.ts defines the stream; this is its wasm form): for
;; counters c … c + 4·groups − 1, Threefry-2x32 with 20 rounds on (counter, 0) under key (k0, k1),
;; then Box–Muller on the 24-bit uniforms u1 = (x0 >> 8 + 1)·2⁻²⁴, u2 = (x1 >> 8)·2⁻²⁴:
;; out[2i] = √(−2 ln u1)·cos 2πu2, out[2i + 1] = √(−2 ln u1)·sin 2πu2. Four counters per iteration.
(func $key (param $i i32) (param $a v128) (param $b v128) (param $c v128) (result v128)
  (if (result v128) (i32.eqz (local.get $i))
    (then (local.get $a))
    (else (if (result v128) (i32.eq (local.get $i) (i32.const 1)) (then (local.get $b)) (else (local.get $c))))))

;; ln u for 0 < u ≤ 1 (normal floats): u = 2^e·m, m in [√½, √2), ln m = 2 atanh t, t = (m − 1)/(m + 1).
(func $log4 (param $u v128) (result v128)
  (local $e v128) (local $m v128) (local $big v128) (local $t v128) (local $t2 v128) (local $p v128)
  (local.set $e (i32x4.sub (i32x4.shr_u (local.get $u) (i32.const 23)) (i32x4.splat (i32.const 127))))
  (local.set $m (v128.or (v128.and (local.get $u) (i32x4.splat (i32.const 0x007fffff))) (i32x4.splat (i32.const 0x3f800000))))
  (local.set $big (f32x4.gt (local.get $m) (f32x4.splat (f32.const 1.41421356))))
  (local.set $m (v128.bitselect (f32x4.mul (local.get $m) (f32x4.splat (f32.const 0.5))) (local.get $m) (local.get $big)))
  (local.set $e (i32x4.sub (local.get $e) (local.get $big)))
  (local.set $t (f32x4.div (f32x4.sub (local.get $m) (f32x4.splat (f32.const 1))) (f32x4.add (local.get $m) (f32x4.splat (f32.const 1)))))
  (local.set $t2 (f32x4.mul (local.get $t) (local.get $t)))
  (local.set $p (f32x4.add (f32x4.mul (local.get $t2) (f32x4.splat (f32.const 0.11111111))) (f32x4.splat (f32.const 0.14285714))))
  (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $t2)) (f32x4.splat (f32.const 0.2))))
  (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $t2)) (f32x4.splat (f32.const 0.33333333))))
  (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $t2)) (f32x4.splat (f32.const 1))))
  (f32x4.add
    (f32x4.mul (f32x4.convert_i32x4_s (local.get $e)) (f32x4.splat (f32.const 0.69314718)))
    (f32x4.mul (f32x4.add (local.get $t) (local.get $t)) (local.get $p))))

;; cos 2πu for |u| ≤ 1: v = u − round u, quadrant q = round 4v, θ = 2π(v − q/4) in [−π/4, π/4],
;; Taylor polynomials for cos θ and sin θ, then the quarter turns: q mod 4 = 0, 1, 2, 3 → c, −s, −c, s.
(func $cos2pi (param $u v128) (result v128)
  (local $v v128) (local $q v128) (local $th v128) (local $t2 v128) (local $c v128) (local $s v128) (local $k v128)
  (local.set $v (f32x4.sub (local.get $u) (f32x4.nearest (local.get $u))))
  (local.set $q (f32x4.nearest (f32x4.mul (local.get $v) (f32x4.splat (f32.const 4)))))
  (local.set $th (f32x4.mul (f32x4.sub (local.get $v) (f32x4.mul (local.get $q) (f32x4.splat (f32.const 0.25)))) (f32x4.splat (f32.const 6.28318531))))
  (local.set $t2 (f32x4.mul (local.get $th) (local.get $th)))
  (local.set $c (f32x4.sub (f32x4.mul (local.get $t2) (f32x4.splat (f32.const 2.48015873e-5))) (f32x4.splat (f32.const 1.38888889e-3))))
  (local.set $c (f32x4.add (f32x4.mul (local.get $c) (local.get $t2)) (f32x4.splat (f32.const 4.16666667e-2))))
  (local.set $c (f32x4.sub (f32x4.mul (local.get $c) (local.get $t2)) (f32x4.splat (f32.const 0.5))))
  (local.set $c (f32x4.add (f32x4.mul (local.get $c) (local.get $t2)) (f32x4.splat (f32.const 1))))
  (local.set $s (f32x4.add (f32x4.mul (local.get $t2) (f32x4.splat (f32.const -1.98412698e-4))) (f32x4.splat (f32.const 8.33333333e-3))))
  (local.set $s (f32x4.sub (f32x4.mul (local.get $s) (local.get $t2)) (f32x4.splat (f32.const 0.166666667))))
  (local.set $s (f32x4.mul (local.get $th) (f32x4.add (f32x4.mul (local.get $s) (local.get $t2)) (f32x4.splat (f32.const 1)))))
  (local.set $k (v128.and (i32x4.trunc_sat_f32x4_s (local.get $q)) (i32x4.splat (i32.const 3))))
  ;; odd quadrants take sin θ; quadrants 1 and 2 flip the sign
  (v128.xor
    (v128.bitselect (local.get $s) (local.get $c) (i32x4.eq (v128.and (local.get $k) (i32x4.splat (i32.const 1))) (i32x4.splat (i32.const 1))))
    (v128.and
      (i32x4.ne (v128.and (i32x4.add (local.get $k) (i32x4.splat (i32.const 1))) (i32x4.splat (i32.const 2))) (i32x4.splat (i32.const 0)))
      (i32x4.splat (i32.const 0x80000000)))))

(func (export "threefry_normal") (param $out i32) (param $groups i32) (param $c i32) (param $k0 i32) (param $k1 i32)
  (local $g i32) (local $it i32) (local $s i32) (local $ctr v128) (local $ks0 v128) (local $ks1 v128) (local $ks2 v128)
  (local $x0 v128) (local $x1 v128) (local $u1 v128) (local $u2 v128) (local $r v128) (local $zc v128) (local $zs v128)
  (local.set $ks0 (i32x4.splat (local.get $k0)))
  (local.set $ks1 (i32x4.splat (local.get $k1)))
  (local.set $ks2 (i32x4.splat (i32.xor (i32.const 0x1bd11bda) (i32.xor (local.get $k0) (local.get $k1)))))
  (local.set $ctr (i32x4.add (i32x4.splat (local.get $c)) (v128.const i32x4 0 1 2 3)))
  (block $g_done (loop $g_loop
    (br_if $g_done (i32.ge_u (local.get $g) (local.get $groups)))
    (local.set $x0 (i32x4.add (local.get $ctr) (local.get $ks0)))
    (local.set $x1 (local.get $ks1))
    (local.set $it (i32.const 0))
    (block $it_done (loop $it_loop
      (br_if $it_done (i32.ge_u (local.get $it) (i32.const 5)))
      (if (i32.and (local.get $it) (i32.const 1))
        (then
          (local.set $x0 (i32x4.add (local.get $x0) (local.get $x1)))
          (local.set $x1 (v128.xor (v128.or (i32x4.shl (local.get $x1) (i32.const 17)) (i32x4.shr_u (local.get $x1) (i32.const 15))) (local.get $x0)))
          (local.set $x0 (i32x4.add (local.get $x0) (local.get $x1)))
          (local.set $x1 (v128.xor (v128.or (i32x4.shl (local.get $x1) (i32.const 29)) (i32x4.shr_u (local.get $x1) (i32.const 3))) (local.get $x0)))
          (local.set $x0 (i32x4.add (local.get $x0) (local.get $x1)))
          (local.set $x1 (v128.xor (v128.or (i32x4.shl (local.get $x1) (i32.const 16)) (i32x4.shr_u (local.get $x1) (i32.const 16))) (local.get $x0)))
          (local.set $x0 (i32x4.add (local.get $x0) (local.get $x1)))
          (local.set $x1 (v128.xor (v128.or (i32x4.shl (local.get $x1) (i32.const 24)) (i32x4.shr_u (local.get $x1) (i32.const 8))) (local.get $x0))))
        (else
          (local.set $x0 (i32x4.add (local.get $x0) (local.get $x1)))
          (local.set $x1 (v128.xor (v128.or (i32x4.shl (local.get $x1) (i32.const 13)) (i32x4.shr_u (local.get $x1) (i32.const 19))) (local.get $x0)))
          (local.set $x0 (i32x4.add (local.get $x0) (local.get $x1)))
          (local.set $x1 (v128.xor (v128.or (i32x4.shl (local.get $x1) (i32.const 15)) (i32x4.shr_u (local.get $x1) (i32.const 17))) (local.get $x0)))
          (local.set $x0 (i32x4.add (local.get $x0) (local.get $x1)))
          (local.set $x1 (v128.xor (v128.or (i32x4.shl (local.get $x1) (i32.const 26)) (i32x4.shr_u (local.get $x1) (i32.const 6))) (local.get $x0)))
          (local.set $x0 (i32x4.add (local.get $x0) (local.get $x1)))
          (local.set $x1 (v128.xor (v128.or (i32x4.shl (local.get $x1) (i32.const 6)) (i32x4.shr_u (local.get $x1) (i32.const 26))) (local.get $x0)))))
      ;; key injection s = it + 1
      (local.set $s (i32.add (local.get $it) (i32.const 1)))
      (local.set $x0 (i32x4.add (local.get $x0) (call $key (i32.rem_u (local.get $s) (i32.const 3)) (local.get $ks0) (local.get $ks1) (local.get $ks2))))
      (local.set $x1 (i32x4.add (i32x4.add (local.get $x1) (call $key (i32.rem_u (i32.add (local.get $s) (i32.const 1)) (i32.const 3)) (local.get $ks0) (local.get $ks1) (local.get $ks2)))
        (i32x4.splat (local.get $s))))
      (local.set $it (i32.add (local.get $it) (i32.const 1)))
      (br $it_loop)))
    (local.set $u1 (f32x4.mul (f32x4.add (f32x4.convert_i32x4_u (i32x4.shr_u (local.get $x0) (i32.const 8))) (f32x4.splat (f32.const 1))) (f32x4.splat (f32.const 5.9604644775390625e-8))))
    (local.set $u2 (f32x4.mul (f32x4.convert_i32x4_u (i32x4.shr_u (local.get $x1) (i32.const 8))) (f32x4.splat (f32.const 5.9604644775390625e-8))))
    (local.set $r (f32x4.sqrt (f32x4.mul (f32x4.splat (f32.const -2)) (call $log4 (local.get $u1)))))
    (local.set $zc (f32x4.mul (local.get $r) (call $cos2pi (local.get $u2))))
    ;; sin 2πu = cos 2π(u − ¼)
    (local.set $zs (f32x4.mul (local.get $r) (call $cos2pi (f32x4.sub (local.get $u2) (f32x4.splat (f32.const 0.25))))))
    ;; interleave: (c0 s0 c1 s1) (c2 s2 c3 s3)
    (v128.store (local.get $out) (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $zc) (local.get $zs)))
    (v128.store offset=16 (local.get $out) (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $zc) (local.get $zs)))
    (local.set $out (i32.add (local.get $out) (i32.const 32)))
    (local.set $ctr (i32x4.add (local.get $ctr) (i32x4.splat (i32.const 4))))
    (local.set $g (i32.add (local.get $g) (i32.const 1)))
    (br $g_loop)))
)
)
