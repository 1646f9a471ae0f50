/** Public surface of the ONNX writer: see builder.ts for usage. */
export { GraphBuilder, attr, encodeModel, writeModel, decodeModel, floatTensor, int64Tensor, int32Tensor, TENSOR_DATA_TYPE } from './builder.js';
export type { AttributeValue, Dim, ElemType, GraphSpec, ModelOptions, NodeSpec, Tensor, TensorData, ValueInfo } from './builder.js';
