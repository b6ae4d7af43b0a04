// Validates rendered Kubernetes manifests offline against the Kubernetes API schemas
// (kubernetes-models). Usage: node validate.js FILE.yaml [FILE.yaml ...]
// Every document must be an object of a known apiVersion/kind and pass its schema; exits 1 otherwise.
'use strict';
const fs = require('fs');
const path = require('path');
const yaml = require('js-yaml');

// apiVersion "apps/v1" -> kubernetes-models/apps/v1/Kind; core "v1" -> kubernetes-models/v1/Kind.
function modelFor(apiVersion, kind) {
  if (typeof apiVersion !== 'string' || typeof kind !== 'string' || !/^[A-Za-z0-9]+$/.test(kind)) {
    return undefined;
  }
  const module = `kubernetes-models/${apiVersion}/${kind}`;
  try {
    return require(module)[kind];
  } catch (error) {
    if (error.code === 'MODULE_NOT_FOUND') return undefined;
    throw error;
  }
}

let failures = 0;
let checked = 0;
for (const file of process.argv.slice(2)) {
  const documents = yaml.loadAll(fs.readFileSync(file, 'utf8')).filter((d) => d !== null);
  if (documents.length === 0) {
    console.error(`${file}: no objects`);
    failures++;
  }
  for (const object of documents) {
    const name = `${path.basename(file)}: ${object?.kind ?? '?'}/${object?.metadata?.name ?? '?'}`;
    const Model = modelFor(object?.apiVersion, object?.kind);
    if (!Model) {
      console.error(`${name}: unknown apiVersion/kind ${object?.apiVersion}/${object?.kind}`);
      failures++;
      continue;
    }
    try {
      new Model(object).validate();
      checked++;
    } catch (error) {
      console.error(`${name}: ${error.message}`);
      failures++;
    }
  }
}
console.log(`kubernetes-models: ${checked} objects valid, ${failures} invalid`);
process.exit(failures === 0 ? 0 : 1);
