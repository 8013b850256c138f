<?xml version="1.0" encoding="utf-8"?>
<sml xmlns="http://www.suunto.com/schemas/sml">
  <DeviceLog>
    <Header>
      <Duration>12.5</Duration>
      <DateTime>2024-03-05T18:45:22.000</DateTime>
    </Header>
    <Samples/>
    <R-R>
      <Data>812 845 901 0 877 830 5120 799 812 856 800 805 810 830 835 790 810 815 820 840 795 800 820 825 830 800 805 810 830 835 790 810 815 820 840 795 800 820 825 830</Data>
    </R-R>
  </DeviceLog>
</sml>
