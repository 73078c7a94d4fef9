// The cellscope WebAssembly kernels module: GEMMs, element-wise and sparse-code kernels.
export * from "./gemm";
export * from "./pointwise";
export * from "./sparse";
