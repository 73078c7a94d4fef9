// The cellscope WebAssembly kernels module: GEMMs and element-wise kernels.
export * from "./gemm";
export * from "./pointwise";
