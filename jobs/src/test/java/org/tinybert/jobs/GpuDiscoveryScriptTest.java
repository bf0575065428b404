package org.tinybert.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.apache.spark.resource.ResourceInformation;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * deploy/spark/gpu-discovery.sh as Spark runs it on an executor, its output parsed by Spark's own parser: CUDA device
 * numbers from CUDA_VISIBLE_DEVICES (renumbered from 0, stopping where CUDA stops) or from nvidia-smi (a stand-in
 * here that prints two indices), none without either.
 */
class GpuDiscoveryScriptTest {
  private static final Path SCRIPT = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().getParent()
      .resolve("deploy/spark/gpu-discovery.sh");

  @TempDir Path bin;

  @ParameterizedTest(name = "CUDA_VISIBLE_DEVICES={0}, nvidia-smi {1}")
  @CsvSource(delimiter = ';', nullValues = "unset", value = {
      "unset; false; ''",
      "unset; true; 0 1",
      "3,1; true; 0 1",
      "''; true; ''",
      "2,-1,0; false; 0",
      "GPU-8932f937-d72c-4106-c12f-20bd9faed9f6; false; 0",
      "NoDevFiles; true; ''"})
  void reportsTheDevicesTheExecutorSees(String visible, boolean smi, String expected) throws Exception {
    if (smi) {
      Path fake = bin.resolve("nvidia-smi");
      Files.writeString(fake, "#!/bin/sh\nprintf '0\\n1\\n'\n");
      Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    ProcessBuilder pb = new ProcessBuilder(Files.exists(Path.of("/bin/bash")) ? "/bin/bash" : "bash",
        SCRIPT.toString());
    Map<String, String> env = pb.environment();
    // Only the stand-in: a real nvidia-smi on this machine must not answer.
    env.put("PATH", bin.toString());
    env.remove("CUDA_VISIBLE_DEVICES");
    if (visible != null) env.put("CUDA_VISIBLE_DEVICES", visible);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    ResourceInformation r = ResourceInformation.parseJson(out);
    assertEquals("gpu", r.name());
    assertArrayEquals(expected.isEmpty() ? new String[0] : expected.split(" "), r.addresses(), out);
  }
}
