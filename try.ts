import { initBackend } from './trainer/backend.js';
import { buildModel } from './trainer/models/build.js';
import { loadDataset } from './trainer/datasets/load.js';
import { TrainLoop } from './trainer/train-loop.js';
import { accuracy } from './trainer/evaluate.js';
import * as tf from '@tensorflow/tfjs';
console.log(await initBackend());
const ds = loadDataset('mnist');
const model = buildModel({kind:'cnn'}, ds.imageShape, 10, 1);
const loop = new TrainLoop(model, ds, {batchSize:64, lr:0.05, schedule:{kind:'constant'}, sgd:{momentum:0.9, nesterov:false, weightDecay:5e-4}, augmentation:{kind:'none'}, seed:1});
const t0 = performance.now();
for (let i=0;i<300;i++){ const r = await loop.runStep(); if (r.step%50===0) console.log(r, tf.memory().numTensors, ((performance.now()-t0)/r.step).toFixed(0)+'ms/step'); }
console.log('acc', await accuracy(model, ds, ds.test));
