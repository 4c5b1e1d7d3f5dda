# Runs a sanitizer canary and passes only when it exits non-zero AND printed the expected report.
#   cmake -DPROGRAM=<canary> -DDEFECT=<heap|leak|overflow|race> -DREPORT=<regex> -P expect_report.cmake
execute_process(COMMAND ${PROGRAM} ${DEFECT} RESULT_VARIABLE rc OUTPUT_VARIABLE out
                ERROR_VARIABLE out)
if(rc EQUAL 0)
  message(FATAL_ERROR "${DEFECT}: the canary exited 0 although the sanitizer should stop it\n${out}")
endif()
if(NOT out MATCHES "${REPORT}")
  message(FATAL_ERROR "${DEFECT}: exit ${rc} without a report matching '${REPORT}'\n${out}")
endif()
message(STATUS "${DEFECT}: exit ${rc}, report found")
