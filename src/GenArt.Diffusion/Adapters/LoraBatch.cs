using GenArt.Torch;
using GenArt.Torch.Modules;
using F = GenArt.Torch.torch.nn.functional;

namespace GenArt.Diffusion.Adapters;

/// <summary>An adapter applied to one sample at a scale (the LoRA weight; 1 is the adapter as trained).</summary>
public sealed record LoraUse(LoraAdapter Adapter, double Scale);

/// <summary>
/// Per-sample LoRA for one batch, installed as the thread's <see cref="ILayerOutputHook"/>: every adapted Linear and
/// Conv2d adds, to each row of its output, the low-rank deltas of that row's sample only. The base weights are
/// never changed, so one batch can mix samples with different adapters, scales, and none.
/// </summary>
/// <remarks>
/// For a layer with weight W and a sample using adapters (A_i, B_i, alpha_i, r_i) at scales s_i, that sample's rows
/// get y = W x + b + sum_i s_i (alpha_i / r_i) B_i (A_i x). Rows of the batch map to samples through
/// <see cref="SetRows"/> (classifier-free guidance puts each sample in two rows: both get its adapters).
/// <para>Linear and 1x1 Conv2d layers gather, per (row, adapter) entry, that adapter's A and B from a stack of the
/// batch's adapters and run two batched matmuls for all entries of a rank; with guided rows ([uncond..., cond...]
/// of distinct samples) an entry is a sample and takes its two rows as one matrix. Larger kernels (LoCon) run one
/// convolution per adapter over its rows. The deltas are added with index_add in entry order.</para>
/// <para>Each entry's arithmetic does not depend on the other rows (one matmul per entry, the same shapes alone or
/// batched; groups in an order fixed by rank and adapter id), so a sample gets the same pixels alone or in any
/// batch.</para>
/// </remarks>
public sealed class LoraBatch : ILayerOutputHook, IDisposable
{
    private readonly IReadOnlyList<IReadOnlyList<LoraUse>> samples;
    private readonly Dictionary<Module, LayerPlan> plans = new(ReferenceEqualityComparer.Instance);
    private int[] rows = [];
    private bool paired;
    private int rowsVersion;

    /// <param name="unet">The UNet whose layers the adapters' UNet targets name.</param>
    /// <param name="textEncoder">The text encoder, or null when no adapter has text-encoder layers.</param>
    /// <param name="samples">For each sample of the batch, its adapters in application order (empty for none).</param>
    public LoraBatch(Module unet, Module? textEncoder, IReadOnlyList<IReadOnlyList<LoraUse>> samples)
    {
        this.samples = samples;
        var layers = new Dictionary<LoraComponent, Dictionary<string, Module>>
        {
            [LoraComponent.Unet] = BaseModelShapes.LayersOf(unet).ToDictionary(l => l.Key, l => l.Value, StringComparer.Ordinal),
            [LoraComponent.TextEncoder] = textEncoder is null ? [] : BaseModelShapes.LayersOf(textEncoder).ToDictionary(l => l.Key, l => l.Value, StringComparer.Ordinal),
        };
        for (int s = 0; s < samples.Count; s++)
        {
            foreach (var use in samples[s])
            {
                if (use.Adapter.IsDisposed) throw new ObjectDisposedException($"adapter '{use.Adapter.Id}'");
                if (!double.IsFinite(use.Scale)) throw new ArgumentException($"sample {s}: adapter '{use.Adapter.Id}' has scale {use.Scale}; it must be a finite number");
                foreach (var w in use.Adapter.Layers)
                {
                    var t = w.Target;
                    if (!layers[t.Component].TryGetValue(t.Module, out var module))
                        throw new ArgumentException($"adapter '{use.Adapter.Id}' targets {t.Component} layer '{t.Module}', which this model does not have");
                    var shape = BaseModelShapes.WeightOf(module).shape;
                    if (!shape.SequenceEqual(t.BaseShape))
                        throw new ArgumentException($"adapter '{use.Adapter.Id}' was validated for '{t.Module}' of shape [{string.Join(", ", t.BaseShape)}] but this model's is [{string.Join(", ", shape)}]");
                    if (!plans.TryGetValue(module, out var plan)) plans[module] = plan = new LayerPlan(module);
                    plan.Add(use.Adapter, w);
                }
            }
        }
    }

    /// <summary>True when some sample has an adapter with at least one layer.</summary>
    public bool IsEmpty => plans.Count == 0;

    /// <summary>The sample of each row of the next forward passes: row r belongs to sample <paramref name="rowSamples"/>[r].</summary>
    public void SetRows(IReadOnlyList<int> rowSamples)
    {
        foreach (var s in rowSamples)
            if (s < 0 || s >= samples.Count) throw new ArgumentOutOfRangeException(nameof(rowSamples), s, $"the batch has {samples.Count} samples");
        rows = rowSamples.ToArray();
        int half = rows.Length / 2;
        paired = rows.Length > 0 && rows.Length % 2 == 0 && rows.Take(half).Distinct().Count() == half
            && Enumerable.Range(0, half).All(i => rows[i] == rows[i + half]);
        rowsVersion++;
    }

    /// <summary>Rows [s..., s...] for classifier-free guidance over the samples <paramref name="active"/>.</summary>
    public void SetGuidedRows(IReadOnlyList<int> active) => SetRows(active.Concat(active).ToArray());

    public Tensor Apply(Module layer, Tensor input, Tensor output)
    {
        if (!plans.TryGetValue(layer, out var plan)) return output;
        if (input.size(0) != rows.Length)
            throw new InvalidOperationException($"an adapted layer got a batch of {input.size(0)} rows but the batch's row map has {rows.Length}");
        plan.Run(this, input, output);
        return output;
    }

    public void Dispose()
    {
        foreach (var p in plans.Values) p.Dispose();
        plans.Clear();
    }

    /// <summary>One (row, adapter layer) pair and its coefficient scale * alpha / r.</summary>
    private readonly record struct Entry(int Row, LoraAdapter Adapter, LoraLayerWeights Weights, double Coefficient);

    /// <summary>Entries that run together: one rank (gathered matmuls) or one adapter (convolutions).</summary>
    private sealed class Group : IDisposable
    {
        public required List<Entry> Entries { get; init; }
        /// <summary>The entries' rows, or with <see cref="Paired"/> their samples' positions in each half.</summary>
        public Tensor Rows { get; set; } = null!;
        public Tensor Coefficients { get; set; } = null!;
        /// <summary>The entries' places in the rank's stack; null when entry i is place i.</summary>
        public Tensor? Slots { get; set; }
        public bool AllRowsInOrder { get; set; }
        /// <summary>Rows are [uncond..., cond...] of distinct samples: an entry takes both rows of its sample as one
        /// matrix of 2N tokens (half the entries, twice the rows per matmul).</summary>
        public bool Paired { get; set; }

        public void Dispose()
        {
            Rows.Dispose();
            Coefficients.Dispose();
            Slots?.Dispose();
        }
    }

    private sealed class LayerPlan(Module layer) : IDisposable
    {
        private readonly List<(LoraAdapter Adapter, LoraLayerWeights Weights)> uses = [];
        // per rank: A stacked [n, r, in] and B stacked [n, out, r] over the adapters of that rank, built on first use
        private readonly Dictionary<int, (Tensor Down, Tensor Up, Dictionary<LoraLayerWeights, long> Slot)> stacks = [];
        private List<Group> groups = [];
        private int version = -1;

        private bool Gathered => layer is Linear || layer is Conv2d { KernelSize: 1, Stride: 1, Padding: 0, Groups: 1 };

        public void Add(LoraAdapter adapter, LoraLayerWeights weights)
        {
            if (!uses.Any(u => ReferenceEquals(u.Weights, weights))) uses.Add((adapter, weights));
        }

        public void Run(LoraBatch batch, Tensor input, Tensor output)
        {
            if (version != batch.rowsVersion) Plan(batch, input);
            if (groups.Count == 0) return;
            using var scope = torch.NewDisposeScope();
            // the low-rank matmuls are small: on OpenBLAS, waking its threads for each costs more than the work
            using var blas = input.device == Device.CPU ? BlasThreads.SingleThreaded() : default;
            long rowCount = input.size(0);
            if (layer is Linear)
            {
                long inF = input.size(-1), outF = output.size(-1);
                foreach (var g in groups)
                {
                    var (a, b) = Gather(g);
                    Tensor xs;
                    if (g.Paired)
                    {
                        var x4 = input.reshape(2, rowCount / 2, -1, inF);
                        xs = (g.AllRowsInOrder ? x4 : x4.index_select(1, g.Rows)).permute(1, 0, 2, 3).reshape(g.Entries.Count, -1, inF);
                    }
                    else
                    {
                        var x = input.reshape(rowCount, -1, inF);
                        xs = g.AllRowsInOrder ? x : x.index_select(0, g.Rows);  // [E, N, in]
                    }
                    var h = xs.bmm(a.transpose(1, 2)).mul_(g.Coefficients);    // [E, N or 2N, r]
                    var d = h.bmm(b.transpose(1, 2));                           // [E, N or 2N, out]
                    if (g.Paired) Add(output.view(2, rowCount / 2, -1, outF), g, d.view(g.Entries.Count, 2, -1, outF).permute(1, 0, 2, 3));
                    else Add(output.view(rowCount, -1, outF), g, d);
                }
            }
            else if (Gathered)
            {
                long c = input.size(1), outC = output.size(1);
                foreach (var g in groups)
                {
                    var (a, b) = Gather(g);
                    Tensor xs;
                    if (g.Paired)
                    {
                        var x4 = input.reshape(2, rowCount / 2, c, -1);
                        xs = (g.AllRowsInOrder ? x4 : x4.index_select(1, g.Rows)).permute(1, 2, 0, 3).reshape(g.Entries.Count, c, -1);
                    }
                    else
                    {
                        var x = input.reshape(rowCount, c, -1);
                        xs = g.AllRowsInOrder ? x : x.index_select(0, g.Rows);  // [E, in, HW]
                    }
                    var h = a.bmm(xs).mul_(g.Coefficients);                     // [E, r, HW or 2HW]
                    var d = b.bmm(h);                                            // [E, out, HW or 2HW]
                    if (g.Paired) Add(output.view(2, rowCount / 2, outC, -1), g, d.view(g.Entries.Count, outC, 2, -1).permute(2, 0, 1, 3));
                    else Add(output.view(rowCount, outC, -1), g, d);
                }
            }
            else
            {
                var conv = (Conv2d)layer;
                long outC = output.size(1);
                var y = output.view(rowCount, outC, -1);
                foreach (var g in groups)
                {
                    var w = g.Entries[0].Weights;
                    var xs = g.AllRowsInOrder ? input : input.index_select(0, g.Rows);
                    var h = F.conv2d(xs, w.Down, null, conv.Stride, conv.Padding, 1, 1);  // [n, r, H', W']
                    long n = h.size(0), r = h.size(1);
                    var h3 = h.view(n, r, -1).mul_(g.Coefficients);
                    var b = w.Up.unsqueeze(0).expand(n, outC, r);
                    Add(y, g, b.bmm(h3));                                         // [n, out, H'W']
                }
            }
        }

        /// <summary>Adds the entries' deltas to their rows (paired: y [2, B, ...], delta [2, E, ...]).</summary>
        private static void Add(Tensor y, Group g, Tensor delta)
        {
            if (g.AllRowsInOrder) y.add_(delta);
            else y.index_add_(g.Paired ? 1 : 0, g.Rows, delta);
        }

        /// <summary>The entries' A [E, r, in] and B [E, out, r] from the rank's stack.</summary>
        private (Tensor A, Tensor B) Gather(Group g)
        {
            var (down, up, _) = stacks[g.Entries[0].Weights.Target.Rank];
            return g.Slots is null ? (down, up) : (down.index_select(0, g.Slots), up.index_select(0, g.Slots));
        }

        private void Plan(LoraBatch batch, Tensor input)
        {
            foreach (var g in groups) g.Dispose();
            groups = [];
            version = batch.rowsVersion;
            bool paired = Gathered && batch.paired;
            int positions = paired ? batch.rows.Length / 2 : batch.rows.Length;
            var entries = new List<Entry>();
            for (int r = 0; r < positions; r++)
                foreach (var use in batch.samples[batch.rows[r]])
                    foreach (var (adapter, weights) in uses)
                        if (ReferenceEquals(adapter, use.Adapter))
                            entries.Add(new Entry(r, adapter, weights, use.Scale * weights.Multiplier));
            if (entries.Count == 0) return;

            var device = input.device;
            var dtype = input.dtype;
            // a fixed group order (rank, or adapter id) keeps each row's sum in the same order in any batch
            var grouped = Gathered
                ? entries.GroupBy(e => (long)e.Weights.Target.Rank).OrderBy(g => g.Key).Select(g => g.ToList())
                : entries.GroupBy(e => e.Weights).OrderBy(g => g.First().Adapter.Id, StringComparer.Ordinal).ThenBy(g => g.First().Row).Select(g => g.ToList());
            foreach (var list in grouped)
            {
                var g = new Group { Entries = list, Paired = paired };
                var rowIds = list.Select(e => (long)e.Row).ToArray();
                g.AllRowsInOrder = rowIds.Length == positions && rowIds.Select((v, i) => v == i).All(b => b);
                g.Rows = torch.tensor(rowIds, rowIds.Length).to(device).DetachFromDisposeScope();
                var coef = list.Select(e => (float)e.Coefficient).ToArray();
                // [E, 1, 1] scales h: [E, N, r] (Linear), [E, r, HW] (1x1 conv) and [n, r, H'W'] (larger kernels) alike
                g.Coefficients = torch.tensor<float>(coef.AsSpan(), [coef.Length, 1, 1], device).to(dtype).DetachFromDisposeScope();
                if (Gathered)
                {
                    int rank = list[0].Weights.Target.Rank;
                    if (!stacks.TryGetValue(rank, out var stack)) stacks[rank] = stack = Stack(rank);
                    var slots = list.Select(e => stack.Slot[e.Weights]).ToArray();
                    bool identity = slots.Length == stack.Slot.Count && slots.Select((v, i) => v == i).All(b => b);
                    g.Slots = identity ? null : torch.tensor(slots, slots.Length).to(device).DetachFromDisposeScope();
                }
                groups.Add(g);
            }
        }

        private (Tensor Down, Tensor Up, Dictionary<LoraLayerWeights, long> Slot) Stack(int rank)
        {
            using var scope = torch.NewDisposeScope();
            var mine = uses.Where(u => u.Weights.Target.Rank == rank).Select(u => u.Weights).ToList();
            var slot = new Dictionary<LoraLayerWeights, long>(ReferenceEqualityComparer.Instance);
            for (int i = 0; i < mine.Count; i++) slot[mine[i]] = i;
            // 1x1 conv downs [r, in, 1, 1] become [r, in]
            var down = torch.stack(mine.Select(w => w.Down.reshape(rank, -1)).ToList()).DetachFromDisposeScope();
            var up = torch.stack(mine.Select(w => w.Up).ToList()).DetachFromDisposeScope();
            return (down, up, slot);
        }

        public void Dispose()
        {
            foreach (var g in groups) g.Dispose();
            foreach (var (d, u, _) in stacks.Values)
            {
                d.Dispose();
                u.Dispose();
            }
            stacks.Clear();
        }
    }
}
