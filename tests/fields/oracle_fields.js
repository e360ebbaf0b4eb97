'use strict'
// Copied into a copy of /work/shared/oracle (after `npm ci`) and run there by make_cases.py.
// Field-model oracle: reads JSON lines of requests on stdin, writes one JSON line per request.
//   {"kind":"validate","fields":{...},"payload":{...},"root":true}
//      -> fieldsToJsonSchema(fields); removeEmptyValues(payload, schema, root); validateSchema
//   {"kind":"schema","fields":{...}}            -> fieldsToJsonSchema(fields)
//   {"kind":"map","mapping":..., "event":...}   -> mapping-kit transform(mapping, event)
//   {"kind":"fql","fql":"...","event":...}      -> parseFql + validate
//   {"kind":"liquid","template":...,"event":...} -> evaluateLiquid(template, event) directly
const core = require('@segment/actions-core')
const { fieldsToJsonSchema } = require('./node_modules/@segment/actions-core/dist/cjs/destination-kit/fields-to-jsonschema')
const { removeEmptyValues } = require('./node_modules/@segment/actions-core/dist/cjs/remove-empty-values')
const { validateSchema } = require('./node_modules/@segment/actions-core/dist/cjs/schema-validation')
const { transform } = require('./node_modules/@segment/actions-core/dist/cjs/mapping-kit')
const { evaluateLiquid } = require('./node_modules/@segment/actions-core/dist/cjs/mapping-kit/liquid-directive')
const subs = require('@segment/destination-subscriptions')
const readline = require('readline')

function err(e) {
  // mapping-kit's validate() throws an AggregateError of ValidationErrors: keep their messages
  const found = String(e && e.message).match(/ValidationError: .*/g)
  const messages = found ? found.map((x) => x.slice('ValidationError: '.length)) : undefined
  return { ok: false, error: { name: e && e.name, message: messages ? messages.join(' ') : String(e && e.message) } }
}

function run(req) {
  try {
    if (req.kind === 'schema') return { ok: true, schema: fieldsToJsonSchema(req.fields) }
    if (req.kind === 'validate') {
      const schema = fieldsToJsonSchema(req.fields)
      let payload = JSON.parse(JSON.stringify(req.payload))
      payload = removeEmptyValues(payload, schema, req.root !== false)
      try {
        validateSchema(payload, schema, { schemaKey: undefined })
      } catch (e) {
        return { ok: false, messages: (e.errors || []).map((x) => x.message), error: { name: e.name, message: e.message } }
      }
      return { ok: true, payload }
    }
    if (req.kind === 'map') {
      const out = transform(req.mapping, req.event)
      return { ok: true, result: out === undefined ? null : out }
    }
    if (req.kind === 'liquid') {
      const out = evaluateLiquid(req.template, req.event)
      return { ok: true, result: out }
    }
    if (req.kind === 'fql') {
      const ast = subs.parseFql(req.fql)
      if (ast.error) return { ok: false, error: { name: 'FqlError', message: String(ast.error.message || ast.error) } }
      return { ok: true, matches: subs.validate(ast, req.event) }
    }
    return { ok: false, error: { name: 'Oracle', message: 'unknown kind ' + req.kind } }
  } catch (e) {
    return err(e)
  }
}

const rl = readline.createInterface({ input: process.stdin })
const lines = []
rl.on('line', (l) => { if (l.trim()) lines.push(l) })
rl.on('close', () => {
  for (const l of lines) process.stdout.write(JSON.stringify(run(JSON.parse(l))) + '\n')
})
