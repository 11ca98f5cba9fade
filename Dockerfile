# syntax=docker/dockerfile:1
# CornerNet detection service. Build from the repository root:
#   docker build -t cornernet-service:cpu .
#   docker build -t cornernet-service:cuda --build-arg TORCH_BACKEND=cuda .    (not built on this project's machine)
# TORCH_BACKEND selects TorchSharp-cpu (default) or TorchSharp-cuda-linux; the code is the same.
ARG TORCH_BACKEND=cpu

FROM mcr.microsoft.com/dotnet/sdk:10.0-noble AS build
ARG TORCH_BACKEND
WORKDIR /src
COPY global.json Directory.Build.props Directory.Build.targets Directory.Packages.props appsettings.json ./
COPY build/ build/
COPY src/ src/
RUN dotnet publish src/CornerNet.Service -c Release -o /app/service -p:TorchBackend=${TORCH_BACKEND} \
 && dotnet publish src/CornerNet.Training -c Release -o /app/training -p:TorchBackend=${TORCH_BACKEND}

# CPU runtime: Ubuntu 24.04's libstdc++ (GCC 14) already provides GLIBCXX_3.4.32, so TorchSharp's native library loads
# as shipped; the build's Debian-12 patch (a weak version requirement) changes nothing there.
FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble AS runtime-cpu

# CUDA runtime: NVIDIA's Ubuntu 24.04 image with the ASP.NET runtime copied in from Microsoft's image.
FROM nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04 AS runtime-cuda
COPY --from=mcr.microsoft.com/dotnet/aspnet:10.0-noble /usr/share/dotnet /usr/share/dotnet
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet \
 && (id app >/dev/null 2>&1 || useradd --uid 1654 --create-home app)
ENV DOTNET_RUNNING_IN_CONTAINER=true

FROM runtime-${TORCH_BACKEND} AS base
# curl for the health check; libgomp ships inside libtorch's package. The image decoder is OpenCV (OpenCvSharp's
# official linux-x64 runtime, docs/image-decoding.md): its native library links GTK 3 (Ubuntu 24.04 names the package
# libgtk-3-0t64), FreeType, HarfBuzz, libdrm, X11 and libatomic; the ldd check fails the build if one is missing.
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl libgtk-3-0t64 libfreetype6 libharfbuzz0b libdrm2 libx11-6 libatomic1 \
 && rm -rf /var/lib/apt/lists/*

# The training worker: docker compose --profile trainer (see docker/docker-compose.yml).
FROM base AS trainer
WORKDIR /app
COPY --from=build /app/training ./
RUN ! ldd runtimes/linux-x64/native/libOpenCvSharpExtern.so | grep "not found"
USER app
ENTRYPOINT ["dotnet", "CornerNet.Training.dll"]

# The service (default target): demo model baked in, configuration from appsettings.json, port 8080, non-root.
FROM base AS service
WORKDIR /app
# appsettings.json comes with the published service (the project links it from the repository root).
COPY --from=build /app/service ./
RUN ! ldd runtimes/linux-x64/native/libOpenCvSharpExtern.so | grep "not found"
COPY models/ ./models/
USER app
ENV ASPNETCORE_HTTP_PORTS=8080
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD curl -fsS http://localhost:8080/health/ready || exit 1
ENTRYPOINT ["dotnet", "CornerNet.Service.dll"]
