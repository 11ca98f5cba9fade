using System.Globalization;
using System.Text.Json;
using CornerNet.Model.Training.Saccade;

namespace CornerNet.Model.Tests.Training;

/// <summary>
/// Replays the numpy draws the authors' sampler made (recorded by tests/fixtures/saccade-training's script): every call
/// must be of the recorded kind with the recorded range, and gets the recorded result.
/// </summary>
internal sealed class ReplayedDraws(JsonElement draws) : ISamplingDraws
{
    private int _next;

    public int Remaining => draws.GetArrayLength() - _next;

    public double Uniform() => Next("uniform")[1].GetDouble();

    public int RandInt(int low, int high)
    {
        var draw = Next("randint");
        var (recordedLow, recordedHigh) = (draw[1].GetInt32(), draw[2].GetInt32());
        if (recordedLow != low || recordedHigh != high)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"draw {_next - 1}: randint({low}, {high}) asked, the authors drew randint({recordedLow}, {recordedHigh})"));
        }

        return draw[3].GetInt32();
    }

    private JsonElement Next(string kind)
    {
        if (_next >= draws.GetArrayLength()) throw new InvalidOperationException($"draw {_next}: {kind} asked, the authors drew nothing more");
        var draw = draws[_next++];
        if (draw[0].GetString() != kind) throw new InvalidOperationException($"draw {_next - 1}: {kind} asked, the authors drew {draw[0].GetString()}");
        return draw;
    }
}
