using System.Net;
using System.Net.Sockets;
using System.Text;

namespace CornerNet.Service.Tests.Reliability;

/// <summary>
/// Uploads never leave files behind: the service reads bodies into memory as they arrive (bounded by
/// Limits:MaxRequestBytes per request and Limits:MaxBodyBytesInFlight in all), so a kill -9 in the middle of a large
/// multipart upload leaves nothing in the temporary folder (the framework's form reader used to leave its
/// <c>ASPNETCORE_*.tmp</c> buffers there).
/// </summary>
[Trait(TestCategories.Category, TestCategories.Slow)]
[Trait(TestCategories.Category, TestCategories.External)]
public sealed class TempFileTests
{
    [Fact]
    public async Task A_kill_9_in_the_middle_of_large_uploads_leaves_no_temp_files_after_restart()
    {
        var temp = Directory.CreateTempSubdirectory("upload-temp-").FullName;
        try
        {
            var service = await HostileInputTests.StartDemoServiceAsync(temp);
            var sockets = new List<TcpClient>();
            try
            {
                // Four multipart uploads declaring 10 MB, each 2 MB into its image part (past any in-memory threshold).
                for (var i = 0; i < 4; i++)
                {
                    var socket = new TcpClient();
                    await socket.ConnectAsync(IPAddress.Loopback, service.Port);
                    var stream = socket.GetStream();
                    await stream.WriteAsync(Encoding.ASCII.GetBytes(
                        "POST /detect HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=xyz\r\n" +
                        $"Content-Length: {10 * 1024 * 1024}\r\n\r\n--xyz\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.png\"\r\n\r\n"));
                    await stream.WriteAsync(new byte[2 * 1024 * 1024]);
                    sockets.Add(socket);
                }

                await Task.Delay(TimeSpan.FromSeconds(2));
                service.Process.Kill();
                await service.Process.WaitForExitAsync(TimeSpan.FromSeconds(30));
            }
            finally
            {
                foreach (var socket in sockets) socket.Dispose();
                await service.DisposeAsync();
            }

            var left = UploadFiles(temp);
            await using (var restarted = await HostileInputTests.StartDemoServiceAsync(temp))
            {
                left = [.. left, .. UploadFiles(temp)];
            }

            Assert.True(left.Length == 0, $"left in {temp}: {string.Join(", ", left)}");
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }

    /// <summary>Upload buffers: the framework's ASPNETCORE_*.tmp files or any other *.tmp file.</summary>
    private static string[] UploadFiles(string folder) =>
        [.. Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Select(Path.GetFileName).OfType<string>()
            .Where(name => name.StartsWith("ASPNETCORE_", StringComparison.Ordinal) || name.EndsWith(".tmp", StringComparison.Ordinal))];
}
