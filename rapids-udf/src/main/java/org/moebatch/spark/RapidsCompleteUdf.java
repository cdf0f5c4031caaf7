package org.moebatch.spark;

import ai.rapids.cudf.ColumnVector;
import ai.rapids.cudf.DType;
import ai.rapids.cudf.HostColumnVector;
import com.nvidia.spark.RapidsUDF;

/**
 * {@code moe_complete} for the RAPIDS Accelerator: the plugin passes a batch's prompt column as
 * cuDF strings on the GPU, the whole batch goes to the engine at once, and a strings column of
 * completions comes back. It closes what it creates (the host copy) and never its input, which the
 * plugin owns. Without the plugin Spark calls the row-wise {@link #call}. Its own module (built with
 * {@code -Prapids}), so that only GPU-cluster builds fetch the plugin's jar; {@code MoeFunctions}
 * finds it by name.
 */
public final class RapidsCompleteUdf extends CompleteUdf implements RapidsUDF {
    private static final long serialVersionUID = 1L;

    /** Public: MoeFunctions makes it reflectively. */
    public RapidsCompleteUdf(GenerateOptions options) {
        super(options);
    }

    @Override
    public ColumnVector evaluateColumnar(int numRows, ColumnVector... args) {
        if (args.length != 1) {
            throw new IllegalArgumentException("moe_complete takes one column (the prompt), got " + args.length);
        }
        if (!DType.STRING.equals(args[0].getType())) {
            throw new IllegalArgumentException("moe_complete: the prompt column must be strings, is " + args[0].getType());
        }
        String[] prompts;
        try (HostColumnVector host = args[0].copyToHost()) {
            prompts = HostStrings.read(host::isNull, host::getJavaString, host.getRowCount());
        }
        return ColumnVector.fromStrings(CompletionBatch.complete(options, prompts));
    }
}
