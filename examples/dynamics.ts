// docs/dynamics.md's API example, verbatim (test/docs/dynamics-doc.test.ts keeps the two equal and runs it).
import { defineCell, fixedPoints, lyapunovSpectrum } from 'cellgrad';

// A linear RNN h' = A h + B x + b: one fixed point (I − A)⁻¹(B x* + b), Jacobian A everywhere.
const linear = defineCell({
  name: 'linear',
  params: ({ input, hidden }) => ({ A: [hidden, hidden], B: [hidden, input], b: [hidden] }),
  state: ({ hidden }) => ({ h: [hidden] }),
  step: ({ x, h }, { A, B, b }) => ({ h: h.matmul(A.T).add(x.matmul(B.T)).add(b) }),
});
const params = { A: [0.5, -0.5, 0.5, 0.5], B: [1, 0], b: [0, 1] }; // A: eigenvalues 0.5 ± 0.5i
const sizes = { input: 1, hidden: 2 };

const report = fixedPoints(linear, params, { sizes, input: [1], starts: 8 });
const [p] = report.points;
console.log(report.points.length, p!.kind, p!.count); // 1 fixed 8
console.log(p!.state.map((v) => v.toFixed(6)).join(' ')); // 0.000000 2.000000, i.e. (I − A)⁻¹(B·1 + b)
console.log(p!.eigenvalues.map((e) => `${e.re.toFixed(3)}${e.im < 0 ? '-' : '+'}${Math.abs(e.im).toFixed(3)}i`).join(' ')); // 0.500+0.500i 0.500-0.500i

// Lyapunov exponents of a linear map: log|λ| = log(√0.5) ≈ −0.347 twice.
const inputs = Array.from({ length: 100 }, (_, t) => [Math.sin(t)]);
const { exponents } = lyapunovSpectrum(linear, params, inputs, { sizes, k: 2 });
console.log(exponents.map((l) => l.toFixed(3)).join(' ')); // -0.347 -0.347
