package org.moebatch.tensor.jmh;

import java.util.concurrent.TimeUnit;
import org.moebatch.tensor.DType;
import org.moebatch.tensor.MatMul;
import org.moebatch.tensor.Panel;
import org.moebatch.tensor.WeightMatrix;
import org.moebatch.testing.RandomTensors;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The single-threaded matrix product of the CPU backend on the shapes of the k2-medium model:
 * {@code out[T, N] = x[T, K] W[N, K]^T}, weights in bf16 and in f32. tools/bench/jmh-matmul.sh
 * runs it beside OpenBLAS sgemm (numpy, one thread) on the same shapes.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class MatMulBenchmark {
    /** "tokens x in -> out": an expert's up projection, a dense layer's, the LM head's slice. */
    @Param({"32x1024x2816", "128x1024x2816", "256x2816x1024", "1x1024x32000"})
    public String shape;

    @Param({"BF16", "F32"})
    public String dtype;

    private int tokens;
    private WeightMatrix w;
    private float[] x;
    private float[] out;
    private final Panel panel = new Panel();

    @Setup
    public void setup() {
        String[] p = shape.split("x");
        tokens = Integer.parseInt(p[0]);
        int in = Integer.parseInt(p[1]);
        int outWidth = Integer.parseInt(p[2]);
        RandomTensors r = new RandomTensors(1);
        w = r.matrix("w", DType.valueOf(dtype), outWidth, in);
        x = r.floats(tokens * in, 1f);
        out = new float[tokens * outWidth];
    }

    @Benchmark
    public float[] multiply() {
        MatMul.multiply(x, 0, w.cols(), tokens, w, 0, w.rows(), out, 0, w.rows(), panel);
        return out;
    }
}
