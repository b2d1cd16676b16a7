;; The vector scan of the index: dot products of int8 vectors with a query widened to int16, 16 lanes at a time
;; (WebAssembly SIMD). `npm run build:wasm` compiles it into server/adapters/int8-scan-module.ts.
(module
  (memory (export "memory") 1)
  ;; out[i] = sum over d of vectors[i * dim + d] * query[d], for i < count; dim is a multiple of 16.
  (func (export "scan") (param $vec i32) (param $query i32) (param $count i32) (param $dim i32) (param $out i32)
    (local $i i32) (local $d i32) (local $q i32) (local $acc v128) (local $v v128)
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $i) (local.get $count)))
        (local.set $acc (v128.const i32x4 0 0 0 0))
        (local.set $d (i32.const 0))
        (local.set $q (local.get $query))
        (block $cols_done
          (loop $cols
            (br_if $cols_done (i32.ge_u (local.get $d) (local.get $dim)))
            (local.set $v (v128.load (local.get $vec)))
            (local.set $acc (i32x4.add (local.get $acc)
              (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $v)) (v128.load (local.get $q)))))
            (local.set $acc (i32x4.add (local.get $acc)
              (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $v)) (v128.load offset=16 (local.get $q)))))
            (local.set $vec (i32.add (local.get $vec) (i32.const 16)))
            (local.set $q (i32.add (local.get $q) (i32.const 32)))
            (local.set $d (i32.add (local.get $d) (i32.const 16)))
            (br $cols)))
        (i32.store (local.get $out)
          (i32.add
            (i32.add (i32x4.extract_lane 0 (local.get $acc)) (i32x4.extract_lane 1 (local.get $acc)))
            (i32.add (i32x4.extract_lane 2 (local.get $acc)) (i32x4.extract_lane 3 (local.get $acc)))))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows)))))
