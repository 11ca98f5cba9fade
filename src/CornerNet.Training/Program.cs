using CornerNet.Model.Architecture;
using CornerNet.Training.Hosting;

// Before libtorch loads (see OpenMpWaitPolicy).
OpenMpWaitPolicy.PreferPassive();
var exitCode = await WorkerCommandLine.RunAsync(args);
// A verb left running at its shutdown timeout may be inside libtorch; a normal exit would tear libtorch down under it.
if (WorkerHost.HasAbandonedWork) ImmediateExit.With(exitCode);
return exitCode;
