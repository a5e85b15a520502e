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

;; The tanh rule of a collapsed 2-jet (engine/simd/tanh-jet.ts), at the N·h positions p = n·h + j,
;; four j at a time (h a multiple of 4), with w = 1 − y₀² and the directions r < R innermost:
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

;; Its gradient with respect to z₀, from the output gradients g₀, g₁, g₂ (P = Σ_r g₁·z₁):
;;   ∂z₀ = w·(g₀ − 2y₀·P + g₂·(−2y₀·z₂ − (1 − 3y₀²)·S)).
(func (export "tanh2c_grad_z0")
  (param $y0 i32) (param $z1 i32) (param $z2 i32) (param $g0 i32) (param $g1 i32) (param $g2 i32) (param $out i32)
  (param $R i32) (param $N i32) (param $h i32) (param $rs i32) (param $ns i32) (param $hasz2 i32)
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
      ;; g₀ − 2y·P + g₂·t, times w
      (local.set $t (f32x4.add
        (f32x4.sub (v128.load (i32.add (local.get $g0) (local.get $p))) (f32x4.mul (f32x4.add (local.get $y) (local.get $y)) (local.get $q)))
        (f32x4.mul (v128.load (i32.add (local.get $g2) (local.get $p))) (local.get $t))))
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
)
