namespace CornerNet.Model.Training.Saccade;

/// <summary>
/// The random draws of CornerNet-Saccade's sampler, one method per kind of numpy call the authors make, so that a test
/// can replay their draws and a training run can take them from a seeded <see cref="Random"/> (<see cref="RandomDraws"/>).
/// </summary>
public interface ISamplingDraws
{
    /// <summary>A value in [0, 1) (numpy's <c>np.random.uniform()</c>).</summary>
    double Uniform();

    /// <summary>An integer in [low, high) (numpy's <c>np.random.randint(low, high)</c>; <c>np.random.choice(a)</c> is
    /// <c>a[randint(0, len(a))]</c>).</summary>
    int RandInt(int low, int high);
}
